"""Cells of the time-period reports: each visit's time split at the period boundaries of
the calendar's time zone (docs/reports.md, "Time-period reports")."""

from __future__ import annotations

import numpy as np
import polars as pl

from dwelltime.engine.batch_view import BatchView, to_cells
from dwelltime.engine.periods import period_bounds
from dwelltime.params import TimePeriod


def status_period_duration(view: BatchView, period: TimePeriod) -> pl.DataFrame:
    """Time per (status `a`, period label `b`), summed over the visits."""
    visits = view.counted_status_visits
    if visits.is_empty():
        return to_cells(pl.DataFrame({"seq": [], "a": []}, schema={"seq": pl.Int64, "a": pl.Utf8}))
    entered = visits["entered"].to_numpy()
    left = visits["left"].to_numpy()
    bounds, labels = period_bounds(
        view.clock.time_zone, period, int(entered.min()), int(left.max())
    )
    bounds = np.asarray(bounds, dtype=np.int64)
    first = np.searchsorted(bounds, entered, side="right") - 1
    # The last period the visit reaches: the one holding the instant just before `left`
    # (or `entered` itself for a 0 ms visit).
    last = np.maximum(first, np.searchsorted(bounds, left, side="left") - 1)
    spans = last - first + 1
    row = np.repeat(np.arange(len(visits)), spans)
    offsets = np.arange(row.size) - np.repeat(np.cumsum(spans) - spans, spans)
    index = first[row] + offsets
    starts = np.maximum(entered[row], bounds[index])
    ends = np.minimum(left[row], bounds[index + 1])
    pieces = pl.DataFrame(
        {
            "seq": visits["seq"].to_numpy()[row],
            "a": visits["value"].gather(row),
            "b": pl.Series(labels, dtype=pl.Utf8).gather(index),
            "ms": view.clock.between(starts, ends),
        }
    )
    summed = pieces.group_by("seq", "a", "b", maintain_order=True).agg(
        pl.col("ms").sum().cast(pl.Float64).alias("value")
    )
    return to_cells(summed)
