"""The value columns of a report, known once every batch is staged: which (a, b) keys,
in what order, under which titles and cell kinds (docs/reports.md, "Columns")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from dwelltime.engine.cells.dates import TRANSITIONED_BY
from dwelltime.engine.output.field_titles import field_title, list_fields
from dwelltime.engine.table import ColumnKind
from dwelltime.engine.timeline.field_stays import ID_PREFIX, NONE_KEY, TEXT_PREFIX
from dwelltime.engine.timeline.statuses import StatusRules, disambiguate
from dwelltime.engine.timeline.visits import OTHER_USERS, UNASSIGNED
from dwelltime.params.model import ReportParams, ReportType

UNASSIGNED_TITLE = "Unassigned"
OTHER_USERS_TITLE = "Other Users"
NONE_TITLE = "(none)"

_COUNT_REPORTS = (ReportType.STATUS_COUNT, ReportType.TRANSITION_COUNT)
_STATUS_COLUMN_REPORTS = (ReportType.STATUS_DURATION, ReportType.STATUS_COUNT)
_PAIR_REPORTS = (ReportType.STATUS_DURATION_BY_ASSIGNEE, ReportType.ASSIGNEE_DURATION_BY_STATUS)
#: Reports whose value columns (or row labels) are the statuses visited, one per status:
#: a window of the selection can be given the whole selection's (`TablePlan.known_statuses`).
STATUS_KEYED_REPORTS = frozenset(
    {
        *_STATUS_COLUMN_REPORTS,
        ReportType.STATUS_DURATION_EXPANDED,
        *(report for report in ReportType if report.is_date_report),
    }
)

#: Reports whose value columns the whole selection's visits name, so a window of it can be
#: given the export's columns (`pipeline.column_plan`): the status-keyed ones, and
#: transitionCount by the (from, to) transitions (`TablePlan.known_transitions`).
PLANNED_REPORTS = STATUS_KEYED_REPORTS | {ReportType.TRANSITION_COUNT}

Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class ValueColumn:
    """A List column after the fixed ones: its staged key and how it shows.

    `aliases` are other staged keys of the same column: an any-field value known only by
    its text on some issues and by its id on others.
    """

    key: Key
    title: str
    kind: ColumnKind
    aliases: tuple[Key, ...] = ()

    @property
    def id(self) -> str:
        """The key as one text: `3`, or `3:10001` for a pair."""
        return key_id(*self.key)


def key_id(a: str, b: str | None) -> str:
    """A staged key (`a`, `b`) as the id JSON answers give its column."""
    return a if b is None else f"{a}:{b}"


@dataclass(frozen=True, slots=True)
class SeenNames:
    """Latest names from the data: status names of histories, assignee display names."""

    statuses: Mapping[str, str]
    assignees: Mapping[str, str]
    #: per history field: value key -> latest name
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


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
        order = _assignees(sorted({a for a, _ in seen}), names, params.assignees)
        return [ValueColumn((a, None), title, kind) for a, title in order.items()]
    if report.is_any_field_report:
        return any_field_columns(params.history_fields, seen, names, kind)
    if report in _STATUS_COLUMN_REPORTS:
        return _status_columns(rules, seen, names, kind)
    if report.is_date_report:
        return _date_columns(params, rules, seen, names)
    return _pair_columns(params, rules, seen, names, kind)


def key_frame(columns: Sequence[ValueColumn]) -> pl.DataFrame:
    """Each column's staged key (`a`, `b`) and its position (`column`), to join cells on."""
    keyed = [
        (key, position)
        for position, column in enumerate(columns)
        for key in (column.key, *column.aliases)
    ]
    return pl.DataFrame(
        {
            "a": [key[0] for key, _ in keyed],
            "b": [key[1] for key, _ in keyed],
            "column": [position for _, position in keyed],
        },
        schema={"a": pl.Utf8, "b": pl.Utf8, "column": pl.Int64},
    )


def placed_cells(cells: pl.DataFrame, columns: Sequence[ValueColumn]) -> pl.DataFrame:
    """`cells` with the `column` each belongs to (cells of no column dropped); an issue's
    cells under two keys of one column (aliases) are added up into one."""
    placed = cells.join(key_frame(columns), on=["a", "b"], nulls_equal=True)
    if not any(column.aliases for column in columns):
        return placed
    return placed.group_by("seq", "column", maintain_order=True).agg(
        pl.col("value").sum(),
        pl.col("count").sum(),
        pl.col("text").first(),
        pl.col("a").first(),
        pl.col("b").first(),
    )


#: statusDurationExpanded's columns after the field columns (the any-field one has one more).
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
    elif report is ReportType.ANY_FIELD_DURATION_EXPANDED:
        values = EXPANDED_COLUMNS + 1
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


def _assignees(
    ids: Sequence[str], names: SeenNames, selected: Sequence[str] | None
) -> dict[str, str]:
    """Assignee titles in column order: by title, case-insensitive, Unassigned last; with
    `assignees` given, the selection's order, then Other Users, then Unassigned."""
    fixed = {UNASSIGNED: UNASSIGNED_TITLE, OTHER_USERS: OTHER_USERS_TITLE}
    titles = disambiguate({a: fixed.get(a) or names.assignees.get(a, a) for a in ids})
    if selected is not None:
        rank = {a: i for i, a in enumerate((*selected, OTHER_USERS, UNASSIGNED))}
        return {a: titles[a] for a in sorted(titles, key=rank.__getitem__)}
    ordered = sorted(titles, key=lambda a: (a == UNASSIGNED, titles[a].casefold(), titles[a], a))
    return {a: titles[a] for a in ordered}


def any_field_columns(
    fields: Sequence[str], seen: Sequence[Key], names: SeenNames, kind: ColumnKind
) -> list[ValueColumn]:
    """`Field: Value` columns, field by field in `historyFields` order, values by title
    (case-insensitive) with `(none)` last. A value known by its text joins the column of
    the one id whose latest name is that text."""
    columns: list[ValueColumn] = []
    for field_id in fields:
        keys = sorted({b for a, b in seen if a == field_id and b is not None})
        latest = names.values.get(field_id, {})
        titles = {
            b: latest.get(b) or b.removeprefix(ID_PREFIX) for b in keys if b.startswith(ID_PREFIX)
        }
        by_title: dict[str, list[str]] = {}
        for b, title in titles.items():
            by_title.setdefault(title, []).append(b)
        aliases: dict[str, list[str]] = {}
        for b in keys:
            text = b.removeprefix(TEXT_PREFIX)
            owners = by_title.get(text, []) if b.startswith(TEXT_PREFIX) else []
            if len(owners) == 1:
                aliases.setdefault(owners[0], []).append(b)
            elif not b.startswith(ID_PREFIX):
                titles[b] = NONE_TITLE if b == NONE_KEY else text
        shown = disambiguate_values(titles)
        order = sorted(shown, key=lambda b: (b == NONE_KEY, shown[b].casefold(), shown[b], b))
        prefix = field_title(field_id)
        columns += [
            ValueColumn(
                (field_id, b),
                f"{prefix}: {shown[b]}",
                kind,
                tuple((field_id, alias) for alias in aliases.get(b, ())),
            )
            for b in order
        ]
    return columns


def disambiguate_values(titles: Mapping[str, str]) -> dict[str, str]:
    """`Name (id)` for every value whose title another value of the field shares."""
    counts: dict[str, int] = {}
    for title in titles.values():
        counts[title] = counts.get(title, 0) + 1
    return {
        b: f"{title} ({b.removeprefix(ID_PREFIX)})"
        if counts[title] > 1 and b.startswith(ID_PREFIX)
        else title
        for b, title in titles.items()
    }


def _pair_columns(
    params: ReportParams,
    rules: StatusRules,
    seen: Sequence[Key],
    names: SeenNames,
    kind: ColumnKind,
) -> list[ValueColumn]:
    """transitionCount, the pair reports and the time-period reports: `a` a status."""
    report = params.columns_by
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
        assignees = _assignees(sorted({b for _, b in pairs}), names, params.assignees)
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
