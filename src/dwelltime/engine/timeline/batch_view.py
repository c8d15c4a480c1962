"""One batch as the report computations see it: issues numbered in report order, changes
sorted, and the visit tables each report draws from (built once, on first use)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import polars as pl

from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD
from dwelltime.engine.staging import CELL_SCHEMA
from dwelltime.engine.timeline.field_stays import FieldStays, field_stays
from dwelltime.engine.timeline.statuses import StatusRules
from dwelltime.engine.timeline.visits import (
    IN_MEMORY,
    Window,
    clip,
    issue_changes,
    pair_segments,
    raw_visits,
)
from dwelltime.engine.timeline.work_clock import WorkClock


class BatchView:
    """A batch's issues (`seq` = position in the whole report) and their visits."""

    def __init__(
        self,
        batch: IssueBatch,
        first_seq: int,
        window: Window,
        clock: WorkClock,
        rules: StatusRules,
        history_fields: tuple[str, ...] = (),
    ) -> None:
        self.issues = batch.issues.with_columns(
            seq=pl.int_range(first_seq, first_seq + batch.issues.height, dtype=pl.Int64)
        )
        self.changes = issue_changes(self.issues, batch.changes)
        self.window = window
        self.clock = clock
        self.rules = rules
        self.history_fields = history_fields

    @cached_property
    def raw_status_visits(self) -> pl.DataFrame:
        return raw_visits(self.issues, self.changes, STATUS_FIELD, self.window)

    @cached_property
    def status_visits(self) -> pl.DataFrame:
        """Kept status visits, every status (groups and metrics name their own ids)."""
        return clip(self.raw_status_visits, self.window, pl.col("value").is_not_null())

    @cached_property
    def counted_status_visits(self) -> pl.DataFrame:
        """Kept visits of the statuses that have columns."""
        return self.status_visits.filter(self.rules.counted("value"))

    @cached_property
    def raw_assignee_visits(self) -> pl.DataFrame:
        return raw_visits(self.issues, self.changes, ASSIGNEE_FIELD, self.window)

    @cached_property
    def assignee_visits(self) -> pl.DataFrame:
        return clip(self.raw_assignee_visits, self.window)

    @cached_property
    def pair_segments(self) -> pl.DataFrame:
        """Kept (status, assignee) stretches of counted statuses."""
        segments = pair_segments(self.raw_status_visits, self.raw_assignee_visits, self.window)
        return clip(segments, self.window, self.rules.counted("status"))

    @cached_property
    def field_stays(self) -> FieldStays:
        """Kept stays of every value of the any-field reports' `historyFields`."""
        return field_stays(self.issues, self.changes, self.history_fields, self.window)

    def timed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with `ms`: the calendar time from `entered` to `left` of every row."""
        ms = self.clock.between(frame["entered"].to_numpy(), frame["left"].to_numpy())
        return frame.with_columns(ms=pl.Series(ms, dtype=pl.Int64))


def to_cells(
    frame: pl.DataFrame | pl.LazyFrame, schema: Mapping[str, type[pl.DataType]] = CELL_SCHEMA
) -> pl.DataFrame:
    """`frame` (seq, a and some of b, value, text, …) in a staged schema, missing columns
    empty; a lazy `frame` (the steps before, `per_visit_behavior`'s say) is collected in
    the same query."""
    columns = frame.collect_schema()
    return (
        frame.lazy()
        .select(
            pl.col(name).cast(dtype) if name in columns else pl.lit(None, dtype).alias(name)
            for name, dtype in schema.items()
        )
        .collect(engine=IN_MEMORY)
    )


def visit_count() -> pl.Expr:
    """The visits (rows) of a group: the statusCount rule, and each cell's `count`."""
    return pl.len().cast(pl.Int32).alias("count")
