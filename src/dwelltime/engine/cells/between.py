"""Cells of durationBetweenStatuses: per metric, calendar time from its start event to its
stop event minus the time paused (SPEC §5.4, docs/reports.md "Values")."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells
from dwelltime.params.model import DbsMetric, DbsPoint


def _events(view: BatchView, point: DbsPoint) -> pl.DataFrame:
    """Instants (seq, t) at which `point` happens inside the window."""
    window = view.window
    if point.type == "creation":
        created = view.issues.select(
            "seq", t=pl.max_horizontal("created_ms", pl.lit(window.start_ms, pl.Int64))
        )
        return created.filter(pl.col("t") < window.end_ms)
    if point.type == "status":
        visits = view.status_visits.filter(pl.col("value").is_in(list(point.ids)))
        return visits.select("seq", t="entered")
    changes = view.changes.filter(
        (pl.col("field_id") == point.field_id)
        & (pl.col("ts") >= window.start_ms)
        & (pl.col("ts") < window.end_ms)
    )
    return changes.select("seq", t="ts")


def _pick(events: pl.DataFrame, occurrence: str, name: str) -> pl.DataFrame:
    instant = pl.col("t").min() if occurrence == "first" else pl.col("t").max()
    return events.group_by("seq").agg(instant.alias(name))


def metric_cells(view: BatchView, index: int, metric: DbsMetric) -> pl.DataFrame:
    """One metric's cells (`a` = its index); issues never started have none."""
    starts = _pick(_events(view, metric.start), metric.start.occurrence, "start")
    stops = _pick(
        _events(view, metric.stop).join(starts, on="seq").filter(pl.col("t") >= pl.col("start")),
        metric.stop.occurrence,
        "stop",
    )
    spans = starts.join(stops, on="seq", how="left").with_columns(
        pl.col("stop").fill_null(view.window.end_ms)
    )
    paused = view.status_visits.filter(pl.col("value").is_in(list(metric.pause_statuses)))
    overlaps = paused.join(spans, on="seq").select(
        "seq",
        entered=pl.max_horizontal("entered", "start"),
        left=pl.max_horizontal(
            pl.max_horizontal("entered", "start"), pl.min_horizontal("left", "stop")
        ),
    )
    pause = view.timed(overlaps).group_by("seq").agg(pl.col("ms").sum().alias("paused"))
    timed = view.timed(spans.rename({"start": "entered", "stop": "left"}))
    values = (
        timed.join(pause, on="seq", how="left")
        .sort("seq")
        .select(
            "seq",
            a=pl.lit(str(index)),
            value=(pl.col("ms") - pl.col("paused").fill_null(0)).cast(pl.Float64),
        )
    )
    return to_cells(values)


def between_statuses(view: BatchView, metrics: tuple[DbsMetric, ...]) -> pl.DataFrame:
    frames = [metric_cells(view, index, metric) for index, metric in enumerate(metrics)]
    return pl.concat(frames) if frames else to_cells(pl.DataFrame(schema={"seq": pl.Int64}))
