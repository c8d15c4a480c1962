"""Cells of the duration reports: per status, per assignee, per (status, assignee) pair and
per consolidated group, with `multiVisitBehavior` (docs/reports.md, "Values")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from dwelltime.engine.timeline.batch_view import BatchView, to_cells, visit_count
from dwelltime.engine.timeline.visits import OTHER_USERS, UNASSIGNED
from dwelltime.params.model import MultiVisitBehavior, ReportParams

#: A frame or a query: `per_visit_behavior` gives what it is given.
_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)

_COMBINE: dict[MultiVisitBehavior, pl.Expr] = {
    MultiVisitBehavior.TOTAL: pl.col("ms").sum(),
    MultiVisitBehavior.FIRST: pl.col("ms").first(),
    MultiVisitBehavior.LAST: pl.col("ms").last(),
    MultiVisitBehavior.AVERAGE: pl.col("ms").mean(),
}


def per_visit_behavior(visits: _Frame, behavior: MultiVisitBehavior) -> _Frame:
    """One value per (seq, a[, b]) from timed visits in entry order, with the number of
    visits it combines (`count`); lazy for lazy `visits` (`to_cells` collects it)."""
    keys = ["seq", "a", *(["b"] if "b" in visits.collect_schema() else [])]
    return visits.group_by(keys, maintain_order=True).agg(
        _COMBINE[behavior].cast(pl.Float64).alias("value"), visit_count()
    )


def status_duration(view: BatchView, behavior: MultiVisitBehavior) -> pl.DataFrame:
    visits = view.timed(view.counted_status_visits).lazy().select("seq", "ms", a="value")
    return to_cells(per_visit_behavior(visits, behavior))


def assignee_duration(
    view: BatchView, behavior: MultiVisitBehavior, selected: Sequence[str] | None
) -> pl.DataFrame:
    visits = view.timed(view.assignee_visits).select("seq", "ms", a="value")
    return to_cells(others_summed(per_visit_behavior(visits, behavior), "a", selected))


def any_field_duration(view: BatchView, behavior: MultiVisitBehavior) -> pl.DataFrame:
    """Time per (field `a`, value `b`), each value's stays combined like a status's visits."""
    stays = view.timed(view.field_stays.stays).lazy().select("seq", "ms", "a", "b")
    return to_cells(per_visit_behavior(stays, behavior))


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
        .agg(pl.col("value").sum(), pl.col("count").sum())
    )
    return to_cells(grouped)


def pair_duration(view: BatchView, selected: Sequence[str] | None) -> pl.DataFrame:
    """Time per (status `a`, assignee `b`); both pair reports stage the same cells."""
    segments = view.timed(view.pair_segments)
    summed = segments.group_by("seq", "status", "assignee", maintain_order=True).agg(
        pl.col("ms").sum().cast(pl.Float64).alias("value"), visit_count()
    )
    return to_cells(others_summed(summed.rename({"status": "a", "assignee": "b"}), "b", selected))


def others_summed(
    values: pl.DataFrame, person: str, selected: Sequence[str] | None
) -> pl.DataFrame:
    """With an `assignees` selection, every value of a person outside it (Unassigned is
    nobody, so it stays) added into `OTHER_USERS`, like a group's members (SPEC §8.4)."""
    if selected is None:
        return values
    keys = [name for name in values.columns if name not in ("value", "count")]
    return (
        values.with_columns(person_column(person, selected))
        .group_by(keys, maintain_order=True)
        .agg(pl.col("value").sum(), pl.col("count").sum())
    )


def person_column(person: str, selected: Sequence[str] | None) -> pl.Expr:
    """`person` as its column names it: itself when selected (or Unassigned, which is
    nobody), else `OTHER_USERS`; unchanged without a selection."""
    if selected is None:
        return pl.col(person)
    kept = pl.col(person).is_in(list(selected)) | (pl.col(person) == UNASSIGNED)
    return pl.when(kept).then(pl.col(person)).otherwise(pl.lit(OTHER_USERS)).alias(person)
