"""The one owner of table assembly: staged batches in, the finished `ReportTable` out.

Columns come from `columns`, the List sheet from `listing`, aggregate sheets from
`aggregates`, all rendered by the report's `Renderer`; nothing else builds a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.aggregates import aggregate_sheets
from dwelltime.engine.output.columns import (
    Key,
    SeenNames,
    any_field_columns,
    key_frame,
    value_columns,
)
from dwelltime.engine.output.field_titles import field_title
from dwelltime.engine.output.listing import VisitLabels, pivoted_sheet, visit_sheet
from dwelltime.engine.output.names import seen_names
from dwelltime.engine.output.parameters import parameter_pairs
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import Staging
from dwelltime.engine.table import Column, ColumnKind, ReportTable
from dwelltime.engine.timeline.statuses import StatusRules
from dwelltime.params.model import ReportParams, ReportType


def assemble_table(
    staging: Staging,
    params: ReportParams,
    context: ReportContext,
    rules: StatusRules,
    renderer: Renderer,
) -> ReportTable:
    """The report of every staged batch (at least one), its rows streamed from `staging`."""
    names = seen_names(staging.scan("names"))
    issue_count = staging.scan("issues").select(pl.len()).collect(engine="streaming").item()
    pairs = parameter_pairs(params.raw, context.calendar, context.now_ms)
    fields = params.fields
    keys = staging.scan("cells").select("a", "b").unique().collect(engine="streaming").rows()
    if params.columns_by.is_expanded:
        visit_count = staging.scan("cells").select(pl.len()).collect(engine="streaming").item()
        labels = _visit_labels(params, rules, keys, names, renderer)
        listing = visit_sheet(staging, fields, labels, renderer, visit_count)
        return ReportTable(listing, parameters=pairs, view_format=params.view_format.value)
    columns = value_columns(params, rules, keys, names, renderer.duration_kind)
    listing = pivoted_sheet(staging, fields, columns, renderer, issue_count)
    aggregates = {}
    if params.columns_by.is_aggregated:
        aggregates = aggregate_sheets(
            staging,
            params.group_by_fields,
            columns,
            params.average_denominator,
            renderer,
        )
    return ReportTable(listing, aggregates, pairs, params.view_format.value)


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
