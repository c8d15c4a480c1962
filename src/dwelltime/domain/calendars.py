"""Business calendars as Timepiece publishes them (SPEC §4): working windows per weekday,
holidays, a time zone; and the one rule every layer asks of a calendar, its day length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """A working window of a weekday, in milliseconds after local midnight."""

    weekday: int  # 0 = Monday … 6 = Sunday (Python's convention)
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Holiday:
    name: str
    date: date
    recurring: bool = False


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A business calendar as Timepiece publishes it (SPEC §4)."""

    id: str
    name: str
    time_zone: str
    working_times: tuple[WorkingTime, ...]
    holidays: tuple[Holiday, ...] = ()


NORMAL_HOURS_ID = "normalHours"


def business_day_ms(spec: CalendarSpec | None) -> int | None:
    """The working time of one working day, when every working weekday has the same total.

    None for normalHours (it has no working day) and for calendars whose working weekdays
    differ in length: `dayLength=businessDays` is refused for those (SPEC §4). Holidays and
    DST do not matter: the day length is the nominal sum of the windows' wall-clock lengths.
    """
    if spec is None:
        return None
    lengths = set(_working_day_lengths(spec))
    return lengths.pop() if len(lengths) == 1 else None


def daily_working_hours(spec: CalendarSpec | None) -> float:
    """Hours of a working day as Timepiece reports them: 24 for normalHours, else the
    working weekdays' mean (their common length when they agree)."""
    if spec is None:
        return 24.0
    working = _working_day_lengths(spec)
    return sum(working) / len(working) / 3_600_000 if working else 0.0


def _working_day_lengths(spec: CalendarSpec) -> list[int]:
    """The summed window length of each weekday that has working time, in ms."""
    totals: dict[int, int] = {}
    for window in spec.working_times:
        totals[window.weekday] = totals.get(window.weekday, 0) + window.end_ms - window.start_ms
    return [total for total in totals.values() if total > 0]
