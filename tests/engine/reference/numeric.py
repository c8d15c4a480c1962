"""The reference model's numeric reports: per-issue values of every value column.

Each function returns the value columns and, per issue, one exact value (ms or count) or
None per column, computed visit by visit from `IssueVisits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from dwelltime.params.model import DbsMetric, DbsPoint, MultiVisitBehavior, ReportParams, ReportType
from tests.engine.reference.clock import period_label, period_pieces, report_zone, working_ms
from tests.engine.reference.columns import (
    assignee_columns,
    person_column,
    status_columns,
    status_counts,
)
from tests.engine.reference.render import Exact, ValueColumn
from tests.engine.reference.visits import (
    Value,
    Visit,
    Window,
    assignee_visits,
    field_change_instants,
    pair_visits,
    status_visits,
    transitions,
)

Values = tuple[list[ValueColumn], list[list[Exact | None]]]


@dataclass(frozen=True, slots=True)
class World:
    """Everything the per-report functions read."""

    issues: Sequence[Issue]
    params: ReportParams
    catalog: Sequence[Status]
    calendar: CalendarSpec | None
    window: Window

    def kept(self, issue: Issue) -> list[Visit]:
        return status_visits(issue, self.window)[1]

    def counts(self, status_id: Value) -> bool:
        return isinstance(status_id, str) and status_counts(self.params, self.catalog, status_id)

    def status_columns(self, extra: set[str] | None = None) -> list[tuple[str, str]]:
        visited = {v.value for issue in self.issues for v in self.kept(issue)}
        names = {s for s in visited | (extra or set()) if isinstance(s, str)}
        return status_columns(self.params, self.catalog, names, self.issues)

    def time(self, visit: Visit) -> int:
        return working_ms(self.calendar, visit.entered, visit.left)


def by_behavior(world: World, visits: Sequence[Visit]) -> Exact | None:
    if not visits:
        return None
    behavior = world.params.multi_visit
    if behavior is MultiVisitBehavior.FIRST:
        return world.time(visits[0])
    if behavior is MultiVisitBehavior.LAST:
        return world.time(visits[-1])
    total = sum(world.time(visit) for visit in visits)
    if behavior is MultiVisitBehavior.AVERAGE:
        return Fraction(total, len(visits))
    return total


def _status_value(world: World, issue: Issue, status_id: str) -> Exact | None:
    if not world.counts(status_id):
        return None
    return by_behavior(world, [v for v in world.kept(issue) if v.value == status_id])


def status_duration(world: World) -> Values:
    columns = world.status_columns()
    return (
        [ValueColumn(title, is_count=False) for _, title in columns],
        [[_status_value(world, issue, ident) for ident, _ in columns] for issue in world.issues],
    )


def status_count(world: World) -> Values:
    columns = world.status_columns()
    rows: list[list[Exact | None]] = []
    for issue in world.issues:
        kept = world.kept(issue)
        counted = [sum(1 for v in kept if v.value == ident) for ident, _ in columns]
        rows.append([n or None for n in counted])
    return [ValueColumn(title, is_count=True) for _, title in columns], rows


def transition_count(world: World) -> Values:
    per_issue = [
        [
            pair
            for pair in transitions(status_visits(issue, world.window)[0], world.window)
            if world.counts(pair[0]) and world.counts(pair[1])
        ]
        for issue in world.issues
    ]
    ends = {end for pairs in per_issue for pair in pairs for end in pair if isinstance(end, str)}
    # titles are disambiguated among the statuses the pair columns show (or all selected)
    order = status_columns(world.params, world.catalog, ends, world.issues)
    position = {ident: index for index, (ident, _) in enumerate(order)}
    title = dict(order)
    occurring = sorted(
        {pair for pairs in per_issue for pair in pairs if set(pair) <= position.keys()},
        key=lambda pair: (position[str(pair[0])], position[str(pair[1])]),
    )
    columns = [
        ValueColumn(f"{title[str(a)]} → {title[str(b)]}", is_count=True) for a, b in occurring
    ]
    return columns, [[pairs.count(pair) or None for pair in occurring] for pairs in per_issue]


def assignee_duration(world: World) -> Values:
    per_issue = [assignee_visits(issue, world.window) for issue in world.issues]
    selected = world.params.assignees
    visited = {_person(v) for visits in per_issue for v in visits}
    people = assignee_columns(world.issues, visited, selected)
    rows: list[list[Exact | None]] = []
    for visits in per_issue:
        # each person's value first; Other Users adds up the values of everyone else
        own = {
            person: by_behavior(world, [v for v in visits if v.value == person])
            for person in {_person(v) for v in visits}
        }
        row: list[Exact | None] = []
        for ident, _ in people:
            parts = [
                value
                for person, value in own.items()
                if person_column(person, selected) == ident and value is not None
            ]
            row.append(sum(parts) if parts else None)
        rows.append(row)
    return [ValueColumn(title, is_count=False) for _, title in people], rows


def pair_duration(world: World) -> Values:
    """statusDurationByAssignee (assignee-major) or assigneeDurationByStatus."""
    per_issue = [
        [v for v in pair_visits(issue, world.window) if world.counts(_pair(v)[0])]
        for issue in world.issues
    ]
    selected = world.params.assignees
    raw_present = {_pair(v) for visits in per_issue for v in visits}
    statuses = world.status_columns({status for status, _ in raw_present if status is not None})
    people = assignee_columns(world.issues, {person for _, person in raw_present}, selected)
    present = {(status, person_column(person, selected)) for status, person in raw_present}
    by_assignee = world.params.columns_by is ReportType.STATUS_DURATION_BY_ASSIGNEE
    keys: list[tuple[tuple[str | None, str | None], str]] = []
    if by_assignee:
        for person, person_title in people:
            for status, status_title in statuses:
                keys.append(((status, person), f"{person_title} / {status_title}"))
    else:
        for status, status_title in statuses:
            for person, person_title in people:
                keys.append(((status, person), f"{status_title} / {person_title}"))
    keys = [(key, title) for key, title in keys if key in present]
    rows: list[list[Exact | None]] = []
    for visits in per_issue:
        row: list[Exact | None] = []
        for key, _ in keys:
            mine = [
                world.time(v)
                for v in visits
                if (_pair(v)[0], person_column(_pair(v)[1], selected)) == key
            ]
            row.append(sum(mine) if mine else None)
        rows.append(row)
    return [ValueColumn(title, is_count=False) for _, title in keys], rows


def _person(visit: Visit) -> str | None:
    assert not isinstance(visit.value, tuple)
    return visit.value


def _pair(visit: Visit) -> tuple[str | None, str | None]:
    assert isinstance(visit.value, tuple)
    return visit.value


def group_duration(world: World) -> Values:
    rows: list[list[Exact | None]] = []
    for issue in world.issues:
        row: list[Exact | None] = []
        for group in world.params.groups:
            # members are named explicitly: they count whatever `statuses` and the
            # deleted-status rule say (docs/decisions.md)
            kept = world.kept(issue)
            members = [
                by_behavior(world, [v for v in kept if v.value == ident])
                for ident in group.statuses
            ]
            present = [m for m in members if m is not None]
            row.append(sum(present) if present else None)
        rows.append(row)
    return [ValueColumn(group.name, is_count=False) for group in world.params.groups], rows


def _events(world: World, issue: Issue, point: DbsPoint) -> list[int]:
    kept = world.kept(issue)
    if point.type == "creation":
        return [kept[0].entered] if kept else []
    if point.type == "status":
        return [v.entered for v in kept if v.value in point.ids]
    assert point.field_id is not None
    return field_change_instants(issue, point.field_id, world.window)


def _pick(instants: Sequence[int], occurrence: str) -> int | None:
    if not instants:
        return None
    return instants[0] if occurrence == "first" else instants[-1]


def _between(world: World, issue: Issue, metric: DbsMetric) -> int | None:
    start = _pick(_events(world, issue, metric.start), metric.start.occurrence)
    if start is None:
        return None
    stops = [t for t in _events(world, issue, metric.stop) if t >= start]
    stop = _pick(stops, metric.stop.occurrence)
    if stop is None:
        stop = world.window.end
    paused = sum(
        working_ms(world.calendar, max(v.entered, start), min(v.left, stop))
        for v in world.kept(issue)
        if v.value in metric.pause_statuses
    )
    return working_ms(world.calendar, start, stop) - paused


def duration_between_statuses(world: World) -> Values:
    metrics = world.params.dbs_metrics
    return (
        [ValueColumn(metric.name, is_count=False) for metric in metrics],
        [[_between(world, issue, metric) for metric in metrics] for issue in world.issues],
    )


def time_period_duration(world: World) -> Values:
    """statusDurationByTimePeriod (status-major) or timePeriodDurationByStatus."""
    zone = report_zone(world.calendar)
    period = world.params.time_period
    per_issue: list[dict[tuple[str, date], int]] = []
    for issue in world.issues:
        cells: dict[tuple[str, date], int] = {}
        for visit in world.kept(issue):
            if not world.counts(visit.value):
                continue
            for start, low, high in period_pieces(visit.entered, visit.left, period, zone):
                key = (str(visit.value), start)
                cells[key] = cells.get(key, 0) + working_ms(world.calendar, low, high)
        per_issue.append(cells)
    present = {key for cells in per_issue for key in cells}
    statuses = world.status_columns()
    periods = sorted({start for _, start in present})
    keys: list[tuple[tuple[str, date], str]] = []
    if world.params.columns_by is ReportType.STATUS_DURATION_BY_TIME_PERIOD:
        for status, title in statuses:
            for start in periods:
                keys.append(((status, start), f"{title} / {period_label(start, period)}"))
    else:
        for start in periods:
            for status, title in statuses:
                keys.append(((status, start), f"{period_label(start, period)} / {title}"))
    keys = [(key, title) for key, title in keys if key in present]
    return (
        [ValueColumn(title, is_count=False) for _, title in keys],
        [[cells.get(key) for key, _ in keys] for cells in per_issue],
    )


NUMERIC_REPORTS = {
    ReportType.STATUS_DURATION: status_duration,
    ReportType.STATUS_COUNT: status_count,
    ReportType.TRANSITION_COUNT: transition_count,
    ReportType.ASSIGNEE_DURATION: assignee_duration,
    ReportType.STATUS_DURATION_BY_ASSIGNEE: pair_duration,
    ReportType.ASSIGNEE_DURATION_BY_STATUS: pair_duration,
    ReportType.GROUP_DURATION: group_duration,
    ReportType.DURATION_BETWEEN_STATUSES: duration_between_statuses,
    ReportType.STATUS_DURATION_BY_TIME_PERIOD: time_period_duration,
    ReportType.TIME_PERIOD_DURATION_BY_STATUS: time_period_duration,
}
