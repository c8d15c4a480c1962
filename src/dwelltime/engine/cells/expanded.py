"""Rows of statusDurationExpanded: one per kept visit of a counted status."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.staging import VISIT_ROW_SCHEMA
from dwelltime.engine.timeline.batch_view import BatchView


def visit_rows(view: BatchView) -> pl.DataFrame:
    timed = view.timed(view.counted_status_visits)
    return timed.select(
        "seq",
        "entered",
        "left",
        a="value",
        value=pl.col("ms").cast(pl.Float64),
        text="by",
    ).select(list(VISIT_ROW_SCHEMA))
