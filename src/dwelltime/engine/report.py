"""The report engine: batches of issues in, staged long-form cells out (`process`), and a
streamed `ReportTable` once every batch is staged (`finish`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import polars as pl

from dwelltime.domain.calendars import business_day_ms
from dwelltime.domain.issue_batch import (
    CHANGE_COLUMNS,
    FIELD_VALUES,
    ISSUE_COLUMNS,
    IssueBatch,
    field_column,
    values_column,
)
from dwelltime.engine.calculated import calculated_columns
from dwelltime.engine.cells import (
    between,
    counts,
    current,
    dates,
    durations,
    expanded,
    period_split,
)
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.aggregates import AggregateInputs
from dwelltime.engine.output.assembly import (
    SeenColumns,
    TablePlan,
    aggregate_inputs,
    assemble_listing,
    assemble_table,
    count_sheet,
)
from dwelltime.engine.output.current import open_visit_rows
from dwelltime.engine.output.names import batch_names
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import MemoryStaging, StagedBatch, Staging
from dwelltime.engine.table import OpenVisit, ReportTable, Sheet
from dwelltime.engine.timeline.batch_view import BatchView
from dwelltime.engine.timeline.statuses import StatusRules
from dwelltime.engine.timeline.visits import IN_MEMORY, Window
from dwelltime.engine.timeline.work_clock import WorkClock
from dwelltime.params.model import DayLength, ReportParams, ReportType

Cells = Callable[[BatchView, ReportParams], pl.DataFrame]

_CELLS: dict[ReportType, Cells] = {
    ReportType.STATUS_DURATION: lambda v, p: durations.status_duration(v, p.multi_visit),
    ReportType.STATUS_COUNT: lambda v, p: counts.status_count(v),
    ReportType.TRANSITION_COUNT: lambda v, p: counts.transition_count(v),
    ReportType.ASSIGNEE_DURATION: lambda v, p: durations.assignee_duration(
        v, p.multi_visit, p.assignees
    ),
    ReportType.STATUS_DURATION_BY_ASSIGNEE: lambda v, p: durations.pair_duration(v, p.assignees),
    ReportType.ASSIGNEE_DURATION_BY_STATUS: lambda v, p: durations.pair_duration(v, p.assignees),
    ReportType.GROUP_DURATION: durations.group_duration,
    ReportType.DURATION_BETWEEN_STATUSES: lambda v, p: between.between_statuses(v, p.dbs_metrics),
    ReportType.STATUS_DURATION_BY_TIME_PERIOD: lambda v, p: period_split.status_period_duration(
        v, p.time_period
    ),
    ReportType.TIME_PERIOD_DURATION_BY_STATUS: lambda v, p: period_split.status_period_duration(
        v, p.time_period
    ),
    ReportType.STATUS_DURATION_EXPANDED: lambda v, p: expanded.visit_rows(v),
    ReportType.ANY_FIELD_DURATION: lambda v, p: durations.any_field_duration(v, p.multi_visit),
    ReportType.ANY_FIELD_DURATION_EXPANDED: lambda v, p: expanded.stay_rows(v),
    **{
        report: lambda v, p: dates.status_dates(v, p.columns_by, p.include_transitioned_by)
        for report in ReportType
        if report.is_date_report
    },
}


class ReportEngine:
    """One report's computation. Call `process` for every batch in report order, then
    `finish` with the staging that holds what `process` returned."""

    def __init__(
        self,
        params: ReportParams,
        context: ReportContext,
        first_seq: int = 0,
        *,
        open_visits: bool = False,
        known_statuses: pl.DataFrame | None = None,
        known_transitions: pl.DataFrame | None = None,
        seen: SeenColumns | None = None,
    ) -> None:
        """`first_seq`: the number of the first issue processed (a chunk of a split export
        starts where the previous chunk ends, so the merged rows keep the report's order).
        `open_visits` also stages each issue's open visit (JSON answers' `currentState`).
        `known_statuses`: the statuses the whole selection visits, when only a window of it
        is computed (`columns.SelectionStatuses`), so a page has the whole report's columns;
        `known_transitions` the transitions it makes (transitionCount's columns).
        `seen`: another engine's, when this one only assembles that one's staged cells
        another way (`pipeline.assembling`), so their column keys are read once.
        """
        self.params = params
        self.context = context
        self.open_visits = open_visits
        self.known_statuses = known_statuses
        self.known_transitions = known_transitions
        self.seen = seen if seen is not None else SeenColumns()
        self.clock = WorkClock.for_calendar(context.calendar)
        self.rules = StatusRules(context.statuses, params.statuses, params.include_deleted_statuses)
        self.window = Window.of(params.trim_start_ms, params.trim_end_ms, context.now_ms)
        business_day = business_day_ms(context.calendar)
        day_ms = business_day if params.day_length is DayLength.BUSINESS_DAYS else None
        self.renderer = Renderer(params.view_format, day_ms, self.clock.time_zone)
        self._selection = params.selection()
        self._history_fields = self._selection.value_fields
        self._staged_fields = tuple(
            dict.fromkeys(("summary", *params.fields, *params.group_by_fields))
        )
        self._status_names = {status.id: status.name for status in context.statuses}
        self._next_seq = first_seq

    def process(self, batch: IssueBatch) -> StagedBatch:
        """The long-form cells, issue rows and names of one batch (issues numbered on from
        the previous batch)."""
        view = BatchView(
            batch, self._next_seq, self.window, self.clock, self.rules, self._history_fields
        )
        self._next_seq += batch.issues.height
        calculated = calculated_columns(
            view.issues, self._staged_fields, self.clock, self._status_names, self.context.now_ms
        )
        issues = (
            view.issues.lazy()
            .with_columns(calculated)
            .select("seq", "key", *(field_column(f) for f in self._staged_fields))
            .collect(engine=IN_MEMORY)
        )
        value_names = view.field_stays.names if self._history_fields else None
        return StagedBatch(
            issues=issues,
            cells=_CELLS[self.params.columns_by](view, self.params),
            names=batch_names(view.issues, view.changes, value_names),
            current=current.open_visits(view, self.params) if self.open_visits else None,
        )

    def finish(self, staging: Staging, aggregates: AggregateInputs | None = None) -> ReportTable:
        """The report, its rows streamed from `staging`; its aggregates computed from
        `aggregates` when given (a split export's merge: every chunk's, combined)."""
        return assemble_table(self._plan(staging, aggregates))

    def listing(self, staging: Staging) -> Sheet:
        """The List sheet alone, its rows streamed from `staging` (no aggregates)."""
        return assemble_listing(self._plan(staging))

    def aggregate_inputs(self, staging: Staging) -> AggregateInputs | None:
        """What `staging` gives the aggregate sheets (a chunk of a split export keeps it
        for the merge); None for reports without aggregates."""
        return aggregate_inputs(self._plan(staging))

    def counts(self, staging: Staging) -> Sheet | None:
        """The List sheet with each value cell's `count` (visits or transitions; None where
        the report has no such notion); None for the expanded reports."""
        return count_sheet(self._plan(staging))

    def current_states(self, staging: Staging) -> Iterator[list[OpenVisit]]:
        """Per List row, the issue's open visits (none unless `open_visits` was set)."""
        return open_visit_rows(self._plan(staging).staging, self.renderer)

    def _plan(self, staging: Staging, aggregates: AggregateInputs | None = None) -> TablePlan:
        if staging.count() == 0:
            staging = MemoryStaging()
            staging.add(self._empty())
        return TablePlan(
            staging,
            self.params,
            self.context,
            self.rules,
            self.renderer,
            self.known_statuses,
            self.known_transitions,
            aggregates,
            self.seen,
        )

    def _empty(self) -> StagedBatch:
        """What a batch of no issues stages: the schemas of a report with no issues."""
        field_columns = {field_column(f): pl.Utf8 for f in self._selection.fields}
        value_columns = {values_column(f): FIELD_VALUES for f in self._history_fields}
        batch = IssueBatch(
            issues=pl.DataFrame(schema={**ISSUE_COLUMNS, **field_columns, **value_columns}),
            changes=pl.DataFrame(schema=CHANGE_COLUMNS),
        )
        return self.process(batch)


def compute_report(
    params: ReportParams, context: ReportContext, batches: Iterable[IssueBatch]
) -> ReportTable:
    """A whole report in memory (tests, small reports): the pipeline's code path minus files."""
    engine = ReportEngine(params, context)
    staging = MemoryStaging()
    for batch in batches:
        staging.add(engine.process(batch))
    return engine.finish(staging)
