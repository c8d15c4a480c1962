"""A slow, obviously-correct model of every report (docs/reports.md), for tests only.

Plain Python, one issue and one visit at a time; it shares nothing with the engine but the
table contract and the fixed map of field titles, so agreement between the two means the
rules were implemented twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from dwelltime.engine.output.field_titles import DATE_FIELDS, field_kind, field_title
from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind
from dwelltime.params.model import ReportParams, ReportType
from tests.engine.reference.any_field import any_field_duration, any_field_expanded
from tests.engine.reference.calculated import DURATIONS, calculated, is_calculated
from tests.engine.reference.clock import from_ms, report_zone
from tests.engine.reference.columns import list_fields
from tests.engine.reference.dates import date_report, expanded_report
from tests.engine.reference.fields import display_value
from tests.engine.reference.numeric import NUMERIC_REPORTS, World
from tests.engine.reference.render import (
    ExpectedSheet,
    aggregate_sheets,
    duration_kind,
    render_duration,
)
from tests.engine.reference.visits import Window


@dataclass(frozen=True, slots=True)
class ExpectedReport:
    listing: ExpectedSheet
    aggregates: dict[AggregateKind, ExpectedSheet] = field(default_factory=dict)


def _field_cell(issue: Issue, field_id: str, world: World, now_ms: int) -> Cell:
    """Instant fields are dates in the report's zone, to the second (as sources give them);
    calculated durations render like every duration."""
    zone = report_zone(world.calendar)
    if is_calculated(field_id):
        value = calculated(issue, field_id, world.catalog, world.calendar, now_ms)
        if field_id in DURATIONS:
            assert not isinstance(value, str)
            return render_duration(value, world.params, world.calendar)
        return value
    if field_id not in DATE_FIELDS:
        return display_value(issue, field_id)
    ms = {"created": issue.created_ms, "updated": issue.updated_ms}.get(
        field_id, issue.resolution_date_ms
    )
    return None if ms is None else from_ms(ms - ms % 1000, zone)


def _issue_cells(issue: Issue, fields: Sequence[str], world: World, now_ms: int) -> list[Cell]:
    return [issue.key, issue.summary, *(_field_cell(issue, f, world, now_ms) for f in fields)]


def _group_value(issue: Issue, field_id: str, world: World, now_ms: int) -> str | int | None:
    if is_calculated(field_id):
        return calculated(issue, field_id, world.catalog, world.calendar, now_ms)
    return display_value(issue, field_id)


def expected_report(
    issues: Sequence[Issue],
    params: ReportParams,
    statuses: Sequence[Status],
    calendar: CalendarSpec | None,
    now_ms: int,
) -> ExpectedReport:
    """The List sheet and aggregate sheets the engine must produce for this input."""
    world = World(issues, params, statuses, calendar, Window.of(params, now_ms))
    fields = list_fields(params)
    head = [Column("Key", ColumnKind.TEXT), Column("Summary", ColumnKind.TEXT)]
    kind = duration_kind(params)
    head += [Column(field_title(f), kind if f in DURATIONS else field_kind(f)) for f in fields]
    report = params.columns_by
    if report.is_date_report:
        columns, cells = date_report(world)
        rows = [
            _issue_cells(issue, fields, world, now_ms) + row
            for issue, row in zip(issues, cells, strict=True)
        ]
        return ExpectedReport(ExpectedSheet(head + columns, rows))
    if report.is_expanded:
        expanded = (
            expanded_report if report is ReportType.STATUS_DURATION_EXPANDED else any_field_expanded
        )
        columns, visit_rows = expanded(world)
        rows = [
            _issue_cells(issues[index], fields, world, now_ms) + row for index, row in visit_rows
        ]
        return ExpectedReport(ExpectedSheet(head + columns, rows))
    numeric = {**NUMERIC_REPORTS, ReportType.ANY_FIELD_DURATION: any_field_duration}
    value_columns, values = numeric[report](world)
    head += [Column(c.title, ColumnKind.COUNT if c.is_count else kind) for c in value_columns]
    rows = []
    for issue, issue_values in zip(issues, values, strict=True):
        row = _issue_cells(issue, fields, world, now_ms)
        for column, value in zip(value_columns, issue_values, strict=True):
            if column.is_count:
                row.append(None if value is None else int(value))
            else:
                row.append(render_duration(value, params, calendar))
        rows.append(row)
    group_values = [
        tuple(_group_value(issue, f, world, now_ms) for f in params.group_by_fields)
        for issue in issues
    ]
    aggregates = aggregate_sheets(
        params,
        calendar,
        [
            Column(field_title(f), kind if f in DURATIONS else ColumnKind.TEXT)
            for f in params.group_by_fields
        ],
        group_values,
        value_columns,
        values,
    )
    return ExpectedReport(ExpectedSheet(head, rows), aggregates)
