"""The one owner of table assembly: staged batches in, the finished `ReportTable` out.

Columns come from `columns`, the List sheet from `listing`, aggregate sheets from
`aggregates`, all rendered by the report's `Renderer`; nothing else builds a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from dwelltime.domain.issues import STATUS_FIELD
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.aggregates import AggregateInputs, aggregate_sheets
from dwelltime.engine.output.columns import (
    PLANNED_REPORTS,
    Key,
    SeenNames,
    ValueColumn,
    any_field_columns,
    key_frame,
    value_columns,
)
from dwelltime.engine.output.field_titles import field_title
from dwelltime.engine.output.listing import Placements, VisitLabels, pivoted_sheet, visit_sheet
from dwelltime.engine.output.names import seen_names
from dwelltime.engine.output.parameters import parameter_pairs
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import NAME_SCHEMA, Staging, collected
from dwelltime.engine.table import Column, ColumnKind, ReportTable, Sheet
from dwelltime.engine.timeline.statuses import StatusRules
from dwelltime.params.model import ReportParams, ReportType


class SeenColumns:
    """The column keys and names of one staging (`_seen`), its issue count and its cells'
    places (`Placements`), worked out once for every assembly of it: a JSON page
    assembles its staged cells three times (values, seconds for `raw`, counts), and each
    assembly would scan the cells and names and place the cells again. Shared only by
    plans that differ in what assembly renders (`pipeline.assembling`)."""

    def __init__(self) -> None:
        self._entry: tuple[Staging, int, tuple[list[Key], SeenNames]] | None = None
        self._issues: tuple[Staging, int, int] | None = None
        self.placements = Placements()

    def issue_count(self, staging: Staging) -> int:
        """How many issues `staging` holds (the List sheet's rows), counted once."""
        known = self._issues
        if known is not None and known[0] is staging and known[1] == staging.count():
            return known[2]
        counted: int = collected(staging.scan("issues").select(pl.len()), staging).item()
        self._issues = (staging, staging.count(), counted)
        return counted

    def of(self, plan: TablePlan) -> tuple[list[Key], SeenNames]:
        entry, staging = self._entry, plan.staging
        if entry is not None and entry[0] is staging and entry[1] == staging.count():
            return entry[2]
        seen = _seen(plan)
        self._entry = (staging, staging.count(), seen)
        return seen


@dataclass(frozen=True, slots=True)
class TablePlan:
    """What a table is assembled from: the staged batches (at least one), the report's
    parameters and rules, and the statuses the whole selection visits (with the
    transitions it makes, for transitionCount) when only a window of it was staged (so
    the window gets the whole report's columns)."""

    staging: Staging
    params: ReportParams
    context: ReportContext
    rules: StatusRules
    renderer: Renderer
    known_statuses: pl.DataFrame | None = None
    #: transitionCount's: the (from, to) transitions the whole selection makes (a, b).
    known_transitions: pl.DataFrame | None = None
    #: The aggregates' inputs when they are not the staging's (a split export's merge).
    aggregates: AggregateInputs | None = None
    seen: SeenColumns = field(default_factory=SeenColumns)


def assemble_table(plan: TablePlan) -> ReportTable:
    """The report of every staged batch, its rows streamed from the staging."""
    params, renderer = plan.params, plan.renderer
    pairs = parameter_pairs(params.raw, plan.context.calendar, plan.context.now_ms)
    listing = assemble_listing(plan)
    if not params.columns_by.is_aggregated:
        return ReportTable(listing, parameters=pairs, view_format=params.view_format.value)
    columns = _value_columns(plan)
    aggregates = aggregate_sheets(
        plan.aggregates
        or AggregateInputs.of_staging(plan.staging, params.group_by_fields, columns),
        params.group_by_fields,
        columns,
        params.average_denominator,
        renderer,
    )
    return ReportTable(listing, aggregates, pairs, params.view_format.value)


def assemble_listing(plan: TablePlan) -> Sheet:
    """The List sheet alone: what a synchronous page shows (its aggregates would be the
    page's, which no answer shows)."""
    staging, params, renderer = plan.staging, plan.params, plan.renderer
    if params.columns_by.is_expanded:
        keys, names = plan.seen.of(plan)
        visit_count = collected(staging.scan("cells").select(pl.len()), staging).item()
        labels = _visit_labels(params, plan.rules, keys, names, renderer)
        return visit_sheet(staging, params.fields, labels, renderer, visit_count)
    columns, seen = _value_columns(plan), plan.seen
    return pivoted_sheet(
        staging, params.fields, columns, renderer, seen.issue_count(staging), seen.placements
    )


def _value_columns(plan: TablePlan) -> list[ValueColumn]:
    keys, names = plan.seen.of(plan)
    return value_columns(plan.params, plan.rules, keys, names, plan.renderer.duration_kind)


def aggregate_inputs(plan: TablePlan) -> AggregateInputs | None:
    """What the staged batches give the aggregate sheets (None: the report has none)."""
    params = plan.params
    if not params.columns_by.is_aggregated:
        return None
    return AggregateInputs.of_staging(plan.staging, params.group_by_fields, _value_columns(plan))


def count_sheet(plan: TablePlan) -> Sheet | None:
    """The List sheet's rows with each value cell's staged `count` instead of its value;
    None for the expanded reports (a row per visit has no count)."""
    if plan.params.columns_by.is_expanded:
        return None
    staging = plan.staging
    return pivoted_sheet(
        staging,
        plan.params.fields,
        _value_columns(plan),
        plan.renderer,
        plan.seen.issue_count(staging),
        plan.seen.placements,
        measure="count",
    )


def _seen(plan: TablePlan) -> tuple[list[Key], SeenNames]:
    """The column keys and names the staged cells show, with the whole selection's
    statuses (or transitions) added for the reports whose columns (or row labels) are
    statuses (or transitions), the known statuses' names with them."""
    staging = plan.staging
    keys = collected(staging.scan("cells").select("a", "b").unique(), staging).rows()
    known, report = plan.known_statuses, plan.params.columns_by
    if known is None or report not in PLANNED_REPORTS:
        return keys, seen_names(staging.scan("names"), staging)
    extra: list[Key]
    if report is ReportType.TRANSITION_COUNT:
        moves = plan.known_transitions
        counted = plan.rules.counted("a") & plan.rules.counted("b")
        extra = [] if moves is None else list(moves.filter(counted).rows())
    else:
        ids = known.filter(plan.rules.counted("id"))["id"].to_list()
        extra = [(status, None) for status in ids]
    named = known.lazy().with_columns(kind=pl.lit(STATUS_FIELD)).select(list(NAME_SCHEMA))
    every = seen_names(pl.concat([staging.scan("names"), named]), staging)
    return list(dict.fromkeys([*keys, *extra])), every


def _visit_labels(
    params: ReportParams,
    rules: StatusRules,
    keys: Sequence[Key],
    names: SeenNames,
    renderer: Renderer,
) -> VisitLabels:
    """Status rows are labelled by the status title; stay rows by the field title and
    the value's title from its anyFieldDuration column, and ordered like those columns."""
    if params.columns_by is ReportType.STATUS_DURATION_EXPANDED:
        titles = rules.titles([a for a, _ in keys], names.statuses)
        return VisitLabels(
            [Column("Status", ColumnKind.TEXT)], lambda a, _: [titles[a]], "Transitioned By"
        )
    columns = any_field_columns(params.history_fields, keys, names, renderer.duration_kind)
    values = {
        key: column.title.removeprefix(f"{field_title(column.key[0])}: ")
        for column in columns
        for key in (column.key, *column.aliases)
    }
    rank = key_frame(columns).rename({"column": "rank"})
    return VisitLabels(
        [Column("Field", ColumnKind.TEXT), Column("Value", ColumnKind.TEXT)],
        lambda a, b: [field_title(a), values[(a, b)]],
        "Changed By",
        rank,
    )
