"""Rows of the expanded reports: one per kept visit of a counted status, or per kept
stay of a value of a `historyFields` field."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.staging import VISIT_ROW_SCHEMA
from dwelltime.engine.timeline.batch_view import BatchView, to_cells


def visit_rows(view: BatchView) -> pl.DataFrame:
    timed = view.timed(view.counted_status_visits)
    rows = timed.select("seq", "entered", "left", a="value", value="ms", text="by")
    return to_cells(rows, VISIT_ROW_SCHEMA)


def stay_rows(view: BatchView) -> pl.DataFrame:
    timed = view.timed(view.field_stays.stays)
    rows = timed.select("seq", "a", "b", "entered", "left", value="ms", text="by")
    return to_cells(rows, VISIT_ROW_SCHEMA)
