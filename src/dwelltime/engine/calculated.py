"""Calculated fields (SPEC §8.5): issue columns the engine computes from a batch instead of
reading them from the source, so they follow the report's calendar and `now`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from dwelltime.domain.issue_batch import field_column
from dwelltime.engine.timeline.work_clock import WorkClock
from dwelltime.params.model import CalculatedField


def calculated_columns(
    issues: pl.DataFrame,
    fields: Sequence[str],
    clock: WorkClock,
    status_names: Mapping[str, str],
    now_ms: int,
) -> list[pl.Series]:
    """One `field_column` per calculated field among `fields`: text for the names,
    milliseconds of calendar time (Float64, null when not known) for the durations."""
    columns = []
    for field_id in fields:
        if field_id not in _NAMES:
            continue
        calc = CalculatedField(field_id)
        name = field_column(calc)
        if calc is CalculatedField.PROJECT_KEY:
            # the key's prefix is the project the issue is in now (a move re-keys it)
            columns.append(issues["key"].str.replace(r"-[^-]*$", "").alias(name))
        elif calc is CalculatedField.ISSUE_TYPE:
            columns.append(issues[field_column("issuetype")].alias(name))
        elif calc is CalculatedField.CURRENT_STATUS:
            catalog = issues["status_id"].replace_strict(status_names, default=None)
            shown = pl.coalesce(catalog, issues[field_column("status")], issues["status_id"])
            columns.append(pl.select(shown.alias(name)).to_series())
        else:
            columns.append(_duration(issues, calc, clock, now_ms).alias(name))
    return columns


_NAMES = frozenset(CalculatedField)


def _duration(
    issues: pl.DataFrame, calc: CalculatedField, clock: WorkClock, now_ms: int
) -> pl.Series:
    """calc:leadTime (created → resolved) or calc:age (created → now), calendar time."""
    created = issues["created_ms"].to_numpy()
    if calc is CalculatedField.AGE:
        end = pl.Series(np.full(len(created), now_ms, dtype=np.int64))
    else:
        # resolutiondate comes as UTC text to the second, like every date field
        text = issues[field_column("resolutiondate")]
        end = text.str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").dt.epoch("ms")
    known = end.is_not_null().to_numpy()
    stop = np.maximum(end.fill_null(0).to_numpy().astype(np.int64), created)
    ms = clock.between(created, stop).astype(np.float64)
    return pl.Series(np.where(known, ms, np.nan)).fill_nan(None)
