"""Cells of the time-period reports: each visit's time split at the period boundaries of
the calendar's time zone (docs/reports.md, "Time-period reports")."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells, visit_count
from dwelltime.engine.timeline.periods import period_bounds, split_at_bounds
from dwelltime.params.model import TimePeriod


def status_period_duration(view: BatchView, period: TimePeriod) -> pl.DataFrame:
    """Time per (status `a`, period label `b`), summed over the visits."""
    visits = view.counted_status_visits
    if visits.is_empty():
        return to_cells(pl.DataFrame(schema={"seq": pl.Int64}))
    entered = visits["entered"].to_numpy()
    left = visits["left"].to_numpy()
    bounds, labels = period_bounds(
        view.clock.time_zone, period, int(entered.min()), int(left.max())
    )
    pieces = split_at_bounds(bounds, entered, left)
    cut = pl.DataFrame(
        {
            "seq": visits["seq"].gather(pieces.visit),
            "a": visits["value"].gather(pieces.visit),
            "b": pl.Series(labels, dtype=pl.Utf8).gather(pieces.period),
            "ms": view.clock.between(pieces.start_ms, pieces.end_ms),
        }
    )
    # `count`: the visits with time in the period (a visit across a boundary counts in both).
    summed = cut.group_by("seq", "a", "b", maintain_order=True).agg(
        pl.col("ms").sum().cast(pl.Float64).alias("value"), visit_count()
    )
    return to_cells(summed)
