"""Cells of the four date reports: the first/last instant an issue entered or left each
status, and optionally who made that transition (docs/reports.md, "Columns")."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells, visit_count
from dwelltime.params.model import ReportType

#: `b` of a "Transitioned By" column; the date column itself has `b` null.
TRANSITIONED_BY = "by"


def status_dates(view: BatchView, report: ReportType, with_author: bool) -> pl.DataFrame:
    entering = report in (
        ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
        ReportType.LAST_TRANSITION_TO_STATUS_DATE,
    )
    first = report in (
        ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
        ReportType.FIRST_TRANSITION_FROM_STATUS_DATE,
    )
    visits = view.counted_status_visits
    if entering:
        events = visits.select("seq", "value", at="entered", author="by")
    else:
        events = visits.filter(~pl.col("open")).select("seq", "value", at="left", author="left_by")

    def pick(column: str) -> pl.Expr:
        return pl.col(column).first() if first else pl.col(column).last()

    picked = events.group_by("seq", "value", maintain_order=True).agg(
        pick("at").alias("at"), pick("author").alias("author")
    )
    # A status visited but never left still has its (empty) column; `count`: its visits.
    visited = visits.group_by("seq", "value", maintain_order=True).agg(visit_count())
    chosen = visited.join(picked, on=["seq", "value"], how="left", maintain_order="left")
    dates = chosen.select("seq", "count", a="value", value=pl.col("at").cast(pl.Float64))
    if not with_author:
        return to_cells(dates)
    authors = chosen.filter(pl.col("author").is_not_null()).select(
        "seq", a="value", b=pl.lit(TRANSITIONED_BY), text="author"
    )
    return pl.concat([to_cells(dates), to_cells(authors)])
