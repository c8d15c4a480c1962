"""Date operands of JQL: absolute dates, relative offsets like `-7d`, and date functions.

Everything is read in UTC (the store has no user time zone) and weeks start on Monday
(ISO 8601); docs/decisions.md. Operands are checked when the query is parsed and turned
into instants only when it is compiled, against the report's fixed `now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dwelltime.jql.nodes import Call, Operand

_ABSOLUTE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?")
_OFFSET = re.compile(r"([+-]?)((?:\d{1,6}[yMwdhm]\s*)+)")
_PART = re.compile(r"(\d+)([yMwdhm])")
_UNIT_OF = {"Day": "d", "Week": "w", "Month": "M", "Year": "y"}
# From a period's start, a span that surely lands inside the next period.
_REACH = {
    "Day": timedelta(days=1),
    "Week": timedelta(days=7),
    "Month": timedelta(days=31),
    "Year": timedelta(days=366),
}
_MAX_OFFSET_MONTHS = 12_000  # a thousand years either way keeps datetime in range
_MAX_OFFSET_MS = 1_000 * 366 * 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DATE_FUNCTIONS = {
    f"{edge}Of{period}": (edge, period)
    for edge in ("start", "end")
    for period in ("Day", "Week", "Month", "Year")
}


class DateProblem(ValueError):
    """A date operand outside the supported forms; the message says which forms exist."""


@dataclass(frozen=True, slots=True)
class Offset:
    """A signed calendar offset: months (with years folded in) and milliseconds."""

    months: int = 0
    ms: int = 0

    def apply(self, instant: datetime) -> datetime:
        month_index = instant.year * 12 + instant.month - 1 + self.months
        year, month = divmod(month_index, 12)
        day = min(instant.day, _days_in_month(year, month + 1))
        shifted = instant.replace(year=year, month=month + 1, day=day)
        return shifted + timedelta(milliseconds=self.ms)


@dataclass(frozen=True, slots=True)
class DateExpr:
    """An instant relative to `now`: absolute (`absolute_ms`), `now`+offset, or a function."""

    absolute_ms: int | None = None
    offset: Offset = Offset()
    function: str | None = None  # startOfDay, endOfMonth, now, ...

    def resolve(self, now_ms: int) -> int:
        """The instant, or DateProblem when `now` plus the offset leaves the calendar."""
        if self.absolute_ms is not None:
            return self.absolute_ms
        try:
            return self._relative(_EPOCH + timedelta(milliseconds=now_ms))
        except (ValueError, OverflowError) as error:
            raise DateProblem(f"the date is out of range ({error})") from None

    def _relative(self, now: datetime) -> int:
        if self.function in DATE_FUNCTIONS:
            edge, period = DATE_FUNCTIONS[self.function]
            start = _period_start(self.offset.apply(now), period)
            if edge == "start":
                return _ms(start)
            following = _period_start(start + _REACH[period], period)
            return _ms(following) - 1
        return _ms(self.offset.apply(now))


def date_expr(operand: Operand) -> DateExpr:
    """The instant `operand` denotes, or DateProblem naming the forms that are accepted."""
    if isinstance(operand, Call):
        if operand.name == "now":
            if operand.args:
                raise DateProblem("now() takes no argument")
            return DateExpr(function="now")
        if operand.name not in DATE_FUNCTIONS or len(operand.args) > 1:
            raise DateProblem(f"{operand.name}() is not a date function")
        period = DATE_FUNCTIONS[operand.name][1]
        offset = _offset(operand.args[0], _UNIT_OF[period]) if operand.args else Offset()
        return DateExpr(offset=offset, function=operand.name)
    text = operand.text.strip()
    absolute = _ABSOLUTE.fullmatch(text)
    if absolute is not None:
        year, month, day, hour, minute = (int(part) if part else 0 for part in absolute.groups())
        try:
            instant = datetime(year, month, day, hour, minute, tzinfo=UTC)
        except ValueError as error:
            raise DateProblem(f"{text!r} is not a valid date ({error})") from None
        return DateExpr(absolute_ms=_ms(instant))
    if _OFFSET.fullmatch(text):
        return DateExpr(offset=_offset(text, None))
    raise DateProblem(
        f"{text!r:.60} is not a date: use 2026-01-31, '2026/01/31 10:00', a relative "
        "date like -7d or -2w, or a function like startOfMonth(-1)"
    )


def _offset(text: str, default_unit: str | None) -> Offset:
    """`-1` (in the function's own unit), `+2w`, `-7d`, `1y 2M`: y, M, w, d, h, m."""
    text = text.strip()
    if default_unit is not None and re.fullmatch(r"[+-]?\d{1,6}", text):
        text += default_unit
    match = _OFFSET.fullmatch(text)
    if match is None:
        raise DateProblem(f"{text!r:.60} is not an offset like -1, +2w or -7d")
    sign = -1 if match.group(1) == "-" else 1
    months = ms = 0
    for amount, unit in _PART.findall(match.group(2)):
        value = int(amount)
        if unit == "y":
            months += 12 * value
        elif unit == "M":
            months += value
        else:
            ms += value * {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000}[unit]
    if months > _MAX_OFFSET_MONTHS or ms > _MAX_OFFSET_MS:
        raise DateProblem(f"{text!r:.60} reaches more than a thousand years away")
    return Offset(months=sign * months, ms=sign * ms)


def _period_start(instant: datetime, period: str) -> datetime:
    day = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "Day":
        return day
    if period == "Week":
        return day - timedelta(days=day.weekday())
    if period == "Month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _ms(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(milliseconds=1)
