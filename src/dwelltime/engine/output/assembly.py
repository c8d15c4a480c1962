"""The one owner of table assembly: staged batches in, the finished `ReportTable` out.

Columns come from `columns`, the List sheet from `listing`, aggregate sheets from
`aggregates`, all rendered by the report's `Renderer`; nothing else builds a table.
"""

from __future__ import annotations

import polars as pl

from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.aggregates import aggregate_sheets
from dwelltime.engine.output.columns import value_columns
from dwelltime.engine.output.listing import pivoted_sheet, visit_sheet
from dwelltime.engine.output.names import seen_names
from dwelltime.engine.output.parameters import parameter_pairs
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import Staging
from dwelltime.engine.table import ReportTable
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
    if params.columns_by is ReportType.STATUS_DURATION_EXPANDED:
        cells = staging.scan("cells")
        seen = cells.select("a").unique().collect(engine="streaming")["a"].to_list()
        titles = rules.titles(seen, names.statuses)
        visit_count = cells.select(pl.len()).collect(engine="streaming").item()
        listing = visit_sheet(staging, fields, titles.__getitem__, renderer, visit_count)
        return ReportTable(listing, parameters=pairs, view_format=params.view_format.value)
    keys = staging.scan("cells").select("a", "b").unique().collect(engine="streaming").rows()
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
