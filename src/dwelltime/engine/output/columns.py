"""The value columns of a report, known once every batch is staged: which (a, b) keys,
in what order, under which titles and cell kinds (docs/reports.md, "Columns")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from dwelltime.engine.cells.dates import TRANSITIONED_BY
from dwelltime.engine.output.field_titles import list_fields
from dwelltime.engine.table import ColumnKind
from dwelltime.engine.timeline.statuses import StatusRules, disambiguate
from dwelltime.engine.timeline.visits import UNASSIGNED
from dwelltime.params.model import ReportParams, ReportType

UNASSIGNED_TITLE = "Unassigned"

_COUNT_REPORTS = (ReportType.STATUS_COUNT, ReportType.TRANSITION_COUNT)
_STATUS_COLUMN_REPORTS = (ReportType.STATUS_DURATION, ReportType.STATUS_COUNT)
_PAIR_REPORTS = (ReportType.STATUS_DURATION_BY_ASSIGNEE, ReportType.ASSIGNEE_DURATION_BY_STATUS)

Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class ValueColumn:
    """A List column after the fixed ones: its staged key and how it shows."""

    key: Key
    title: str
    kind: ColumnKind

    @property
    def id(self) -> str:
        """The key as one text: `3`, or `3:10001` for a pair."""
        a, b = self.key
        return a if b is None else f"{a}:{b}"


@dataclass(frozen=True, slots=True)
class SeenNames:
    """Latest names from the data: status names of histories, assignee display names."""

    statuses: Mapping[str, str]
    assignees: Mapping[str, str]


def value_columns(
    params: ReportParams,
    rules: StatusRules,
    seen: Sequence[Key],
    names: SeenNames,
    duration_kind: ColumnKind,
) -> list[ValueColumn]:
    """The value columns of the List sheet, in order."""
    report = params.columns_by
    kind = ColumnKind.COUNT if report in _COUNT_REPORTS else duration_kind
    if report is ReportType.GROUP_DURATION:
        return [ValueColumn((str(i), None), g.name, kind) for i, g in enumerate(params.groups)]
    if report is ReportType.DURATION_BETWEEN_STATUSES:
        metrics = params.dbs_metrics
        return [ValueColumn((str(i), None), m.name, kind) for i, m in enumerate(metrics)]
    if report is ReportType.ASSIGNEE_DURATION:
        order = _assignees(sorted({a for a, _ in seen}), names)
        return [ValueColumn((a, None), title, kind) for a, title in order.items()]
    if report in _STATUS_COLUMN_REPORTS:
        return _status_columns(rules, seen, names, kind)
    if report.is_date_report:
        return _date_columns(params, rules, seen, names)
    return _pair_columns(report, rules, seen, names, kind)


def key_frame(columns: Sequence[ValueColumn]) -> pl.DataFrame:
    """Each column's staged key (`a`, `b`) and its position (`column`), to join cells on."""
    return pl.DataFrame(
        {
            "a": [column.key[0] for column in columns],
            "b": [column.key[1] for column in columns],
            "column": list(range(len(columns))),
        },
        schema={"a": pl.Utf8, "b": pl.Utf8, "column": pl.Int64},
    )


#: statusDurationExpanded's columns after the field columns.
EXPANDED_COLUMNS = 5


def planned_column_count(params: ReportParams) -> int | None:
    """The widest sheet's column count when the parameters alone fix it, else None."""
    report = params.columns_by
    values: int | None = None
    if report is ReportType.GROUP_DURATION:
        values = len(params.groups)
    elif report is ReportType.DURATION_BETWEEN_STATUSES:
        values = len(params.dbs_metrics)
    elif report is ReportType.STATUS_DURATION_EXPANDED:
        values = EXPANDED_COLUMNS
    elif params.statuses is not None and report.is_date_report:
        values = len(params.statuses) * (2 if params.include_transitioned_by else 1)
    elif params.statuses is not None and report in _STATUS_COLUMN_REPORTS:
        values = len(params.statuses)
    if values is None:
        return None
    listing = 2 + len(list_fields(params.fields)) + values
    aggregates = len(params.group_by_fields) + 1 + values if report.is_aggregated else 0
    return max(listing, aggregates)


def _status_titles(rules: StatusRules, ids: list[str], names: SeenNames) -> dict[str, str]:
    return rules.titles(ids, names.statuses)


def _status_columns(
    rules: StatusRules, seen: Sequence[Key], names: SeenNames, kind: ColumnKind
) -> list[ValueColumn]:
    ids = rules.ordered(a for a, _ in seen)
    titles = _status_titles(rules, ids, names)
    return [ValueColumn((status, None), titles[status], kind) for status in ids]


def _date_columns(
    params: ReportParams, rules: StatusRules, seen: Sequence[Key], names: SeenNames
) -> list[ValueColumn]:
    columns = []
    for column in _status_columns(rules, seen, names, ColumnKind.DATE):
        columns.append(column)
        if params.include_transitioned_by:
            title = f"{column.title} Transitioned By"
            columns.append(ValueColumn((column.key[0], TRANSITIONED_BY), title, ColumnKind.TEXT))
    return columns


def _assignees(ids: Sequence[str], names: SeenNames) -> dict[str, str]:
    """Assignee titles in column order: by title, case-insensitive, Unassigned last."""
    titles = disambiguate(
        {a: UNASSIGNED_TITLE if a == UNASSIGNED else names.assignees.get(a, a) for a in ids}
    )
    ordered = sorted(titles, key=lambda a: (a == UNASSIGNED, titles[a].casefold(), titles[a], a))
    return {a: titles[a] for a in ordered}


def _pair_columns(
    report: ReportType,
    rules: StatusRules,
    seen: Sequence[Key],
    names: SeenNames,
    kind: ColumnKind,
) -> list[ValueColumn]:
    """transitionCount, the pair reports and the time-period reports: `a` a status."""
    pairs = [(a, b) for a, b in seen if b is not None]
    status_ids = {a for a, _ in pairs}
    if report is ReportType.TRANSITION_COUNT:
        status_ids |= {b for _, b in pairs}
    order = {status: i for i, status in enumerate(rules.ordered(status_ids))}
    titles = _status_titles(rules, list(order), names)
    if report is ReportType.TRANSITION_COUNT:
        pairs.sort(key=lambda p: (order[p[0]], order[p[1]]))
        return [ValueColumn(p, f"{titles[p[0]]} → {titles[p[1]]}", kind) for p in pairs]
    if report in _PAIR_REPORTS:
        assignees = _assignees(sorted({b for _, b in pairs}), names)
        rank = {a: i for i, a in enumerate(assignees)}
        if report is ReportType.STATUS_DURATION_BY_ASSIGNEE:
            pairs.sort(key=lambda p: (rank[p[1]], order[p[0]]))
            return [ValueColumn(p, f"{assignees[p[1]]} / {titles[p[0]]}", kind) for p in pairs]
        pairs.sort(key=lambda p: (order[p[0]], rank[p[1]]))
        return [ValueColumn(p, f"{titles[p[0]]} / {assignees[p[1]]}", kind) for p in pairs]
    if report is ReportType.STATUS_DURATION_BY_TIME_PERIOD:
        pairs.sort(key=lambda p: (order[p[0]], p[1]))
        return [ValueColumn(p, f"{titles[p[0]]} / {p[1]}", kind) for p in pairs]
    pairs.sort(key=lambda p: (p[1], order[p[0]]))
    return [ValueColumn(p, f"{p[1]} / {titles[p[0]]}", kind) for p in pairs]
