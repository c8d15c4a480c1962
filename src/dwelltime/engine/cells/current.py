"""Each issue's open visit (SPEC §8.2 `currentState`): the visit in progress at the
report's end instant, keyed like the report's columns, with its calendar time so far.

Drawn from the same visits as the report's cells, so the open visit's time is the part of
the issue's cell that runs up to `now`.
"""

from __future__ import annotations

import polars as pl

from dwelltime.engine.cells.durations import person_column
from dwelltime.engine.staging import CURRENT_SCHEMA
from dwelltime.engine.timeline.batch_view import BatchView, to_cells
from dwelltime.params.model import ReportParams, ReportType

_PAIR_REPORTS = (ReportType.STATUS_DURATION_BY_ASSIGNEE, ReportType.ASSIGNEE_DURATION_BY_STATUS)


def open_visits(view: BatchView, params: ReportParams) -> pl.DataFrame:
    """The open visits of a batch: the assignee for assignee reports, the (status,
    assignee) pair for the pair reports, each held value of the any-field reports' fields,
    else the status (of the statuses the report counts)."""
    report = params.columns_by
    still = pl.col("left") == view.window.end_ms
    if report is ReportType.ASSIGNEE_DURATION:
        frame = view.assignee_visits.filter(pl.col("open")).select(
            "seq", "entered", "left", a=person_column("value", params.assignees)
        )
    elif report in _PAIR_REPORTS:
        frame = view.pair_segments.filter(still).select(
            "seq", "entered", "left", a="status", b=person_column("assignee", params.assignees)
        )
    elif report.is_any_field_report:
        frame = view.field_stays.stays.filter(still).select("seq", "entered", "left", "a", "b")
    else:
        frame = view.counted_status_visits.filter(pl.col("open")).select(
            "seq", "entered", "left", a="value"
        )
    return to_cells(view.timed(frame).lazy().rename({"ms": "value"}), CURRENT_SCHEMA)
