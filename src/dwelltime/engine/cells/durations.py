"""Cells of the duration reports: per status, per assignee, per (status, assignee) pair and
per consolidated group, with `multiVisitBehavior` (docs/reports.md, "Values")."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells
from dwelltime.params.model import MultiVisitBehavior, ReportParams

_COMBINE: dict[MultiVisitBehavior, pl.Expr] = {
    MultiVisitBehavior.TOTAL: pl.col("ms").sum(),
    MultiVisitBehavior.FIRST: pl.col("ms").first(),
    MultiVisitBehavior.LAST: pl.col("ms").last(),
    MultiVisitBehavior.AVERAGE: pl.col("ms").mean(),
}


def per_visit_behavior(visits: pl.DataFrame, behavior: MultiVisitBehavior) -> pl.DataFrame:
    """One value per (seq, a) from timed visits in entry order."""
    return visits.group_by("seq", "a", maintain_order=True).agg(
        _COMBINE[behavior].cast(pl.Float64).alias("value")
    )


def status_duration(view: BatchView, behavior: MultiVisitBehavior) -> pl.DataFrame:
    visits = view.timed(view.counted_status_visits).select("seq", "ms", a="value")
    return to_cells(per_visit_behavior(visits, behavior))


def assignee_duration(view: BatchView, behavior: MultiVisitBehavior) -> pl.DataFrame:
    visits = view.timed(view.assignee_visits).select("seq", "ms", a="value")
    return to_cells(per_visit_behavior(visits, behavior))


def group_duration(view: BatchView, params: ReportParams) -> pl.DataFrame:
    """Each group = the sum of its members' values; a member never visited adds nothing."""
    membership = pl.DataFrame(
        {
            "status": [status for group in params.groups for status in group.statuses],
            "a": [str(index) for index, group in enumerate(params.groups) for _ in group.statuses],
        },
        schema={"status": pl.Utf8, "a": pl.Utf8},
    )
    members = view.status_visits.filter(pl.col("value").is_in(membership["status"].implode()))
    visits = view.timed(members).select("seq", "ms", a="value")
    per_status = per_visit_behavior(visits, params.multi_visit).rename({"a": "status"})
    grouped = (
        per_status.join(membership, on="status")
        .group_by("seq", "a", maintain_order=True)
        .agg(pl.col("value").sum())
    )
    return to_cells(grouped)


def pair_duration(view: BatchView) -> pl.DataFrame:
    """Time per (status `a`, assignee `b`); both pair reports stage the same cells."""
    segments = view.timed(view.pair_segments)
    summed = segments.group_by("seq", "status", "assignee", maintain_order=True).agg(
        pl.col("ms").sum().cast(pl.Float64).alias("value")
    )
    return to_cells(summed.rename({"status": "a", "assignee": "b"}))
