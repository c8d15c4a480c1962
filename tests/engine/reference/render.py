"""The reference model's rendering of values and its aggregate sheets (docs/reports.md).

Values arrive as exact milliseconds (int or Fraction) or counts; they become cells here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind
from dwelltime.params.model import AverageDenominator, DayLength, ReportParams, ViewFormat
from tests.engine.reference.clock import HOUR_MS, business_day_ms

Exact = int | Fraction
MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class ValueColumn:
    """A value column before rendering: durations (ms) or counts."""

    title: str
    is_count: bool


@dataclass(frozen=True, slots=True)
class ExpectedSheet:
    columns: list[Column]
    rows: list[list[Cell]]


def day_ms(params: ReportParams, calendar: CalendarSpec | None) -> int:
    if params.day_length is DayLength.BUSINESS_DAYS and calendar is not None:
        return business_day_ms(calendar)
    return 24 * HOUR_MS


def human_readable(ms: Exact, day: int) -> str:
    """`2d 3h 15m`: whole days, hours and minutes, zero parts left out."""
    days, rest = divmod(Fraction(ms), day)
    hours, rest = divmod(rest, HOUR_MS)
    minutes = rest // MINUTE_MS
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"


def render_duration(
    ms: Exact | float | None, params: ReportParams, calendar: CalendarSpec | None
) -> Cell:
    if ms is None:
        return None
    view = params.view_format
    if view is ViewFormat.HUMAN_READABLE:
        return human_readable(Fraction(ms), day_ms(params, calendar))
    unit, digits = {
        ViewFormat.SECONDS: (1000, 3),
        ViewFormat.MINUTES: (MINUTE_MS, 2),
        ViewFormat.HOURS: (HOUR_MS, 2),
        ViewFormat.DAYS: (day_ms(params, calendar), 2),
    }[view]
    return round(float(Fraction(ms) / unit), digits)


def duration_kind(params: ReportParams) -> ColumnKind:
    if params.view_format is ViewFormat.HUMAN_READABLE:
        return ColumnKind.TEXT
    return ColumnKind.DURATION


def _median(values: Sequence[Exact]) -> Exact:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def _std(values: Sequence[Exact]) -> float:
    mean = Fraction(sum(values), len(values))
    return math.sqrt(sum((Fraction(v) - mean) ** 2 for v in values) / len(values))


def aggregate(
    kind: AggregateKind, values: Sequence[Exact | None], denominator: AverageDenominator
) -> Exact | float | None:
    """One aggregate of a column's per-issue values in one group."""
    present = [v for v in values if v is not None]
    if kind is AggregateKind.SUM:
        return sum(present) if present else None
    if denominator is AverageDenominator.ALL:
        present = [0 if v is None else v for v in values]
    if not present:
        return None
    if kind is AggregateKind.AVERAGE:
        return Fraction(sum(present), len(present))
    if kind is AggregateKind.MEDIAN:
        return _median(present)
    return _std(present)


GroupValue = str | int | None


def _group_key(values: Sequence[GroupValue]) -> tuple[tuple[bool, str | int], ...]:
    """Code point order (durations by their milliseconds), empty last."""
    return tuple((value is None, "" if value is None else value) for value in values)


def aggregate_sheets(
    params: ReportParams,
    calendar: CalendarSpec | None,
    group_columns: Sequence[Column],
    group_values: Sequence[tuple[GroupValue, ...]],
    columns: Sequence[ValueColumn],
    values: Sequence[Sequence[Exact | None]],
) -> dict[AggregateKind, ExpectedSheet]:
    """The four aggregate sheets of per-issue `values` (one row per issue)."""
    groups: dict[tuple[GroupValue, ...], list[int]] = {}
    for index, key in enumerate(group_values):
        groups.setdefault(key, []).append(index)
    if not group_columns:
        groups = {(): list(range(len(values)))}
    sheets: dict[AggregateKind, ExpectedSheet] = {}
    for kind in AggregateKind:
        header = list(group_columns)
        header.append(Column("Issue Count", ColumnKind.COUNT))
        for column in columns:
            if not column.is_count:
                header.append(Column(column.title, duration_kind(params)))
            elif kind is AggregateKind.SUM:
                header.append(Column(column.title, ColumnKind.COUNT))
            else:
                header.append(Column(column.title, ColumnKind.NUMBER))
        rows: list[list[Cell]] = []
        for key in sorted(groups, key=_group_key):
            members = groups[key]
            # only calculated durations group by a number: their milliseconds
            row: list[Cell] = [
                render_duration(value, params, calendar) if isinstance(value, int) else value
                for value in key
            ]
            row.append(len(members))
            for position, column in enumerate(columns):
                result = aggregate(
                    kind, [values[i][position] for i in members], params.average_denominator
                )
                if not column.is_count:
                    row.append(render_duration(result, params, calendar))
                elif result is None or kind is AggregateKind.SUM:
                    row.append(None if result is None else int(result))
                else:
                    row.append(round(float(result), 2))
            rows.append(row)
        sheets[kind] = ExpectedSheet(header, rows)
    return sheets
