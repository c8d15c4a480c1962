"""Cells of the count reports: entries into each status and transitions per (from, to)
pair; the calendar plays no part (docs/reports.md, "Values")."""

from __future__ import annotations

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells, visit_count


def status_count(view: BatchView) -> pl.DataFrame:
    """Entries: every kept visit, the creation (or trim-start) state included."""
    counted = view.counted_status_visits.group_by("seq", "value", maintain_order=True).agg(
        visit_count()
    )
    return to_cells(counted.select("seq", "count", a="value", value="count"))


def transition_count(view: BatchView) -> pl.DataFrame:
    """Transitions inside the window between two counted statuses (`a` from, `b` to)."""
    moves = view.counted_status_visits.filter(pl.col("transition") & view.rules.counted("prev"))
    counted = moves.group_by("seq", "prev", "value", maintain_order=True).agg(visit_count())
    return to_cells(counted.select("seq", "count", a="prev", b="value", value="count"))
