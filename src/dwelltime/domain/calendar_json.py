"""Timepiece's calendar JSON (SPEC §4) to CalendarSpec and back, validating every field.

A leaf module (no I/O): the CLI importer, the store and any API that accepts calendars all
read calendars through `parse_calendar`, so one set of rules decides what a valid calendar is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dwelltime.domain.calendars import (
    NORMAL_HOURS_ID,
    CalendarSpec,
    Holiday,
    WorkingTime,
    business_day_ms,
    daily_working_hours,
)
from dwelltime.errors import InvalidParameters

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DAY_MS = 86_400_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Timepiece's own GET /rest/calendar writes holidays as `25/Dec/25` (SPEC §8.6).
_TIMEPIECE_DATE = re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MAX_ID_LENGTH = 100

_Problem = Callable[[str, str], None]
"""Records one problem: (field path, message)."""


def parse_calendar(
    data: Mapping[str, Any], source: str = "calendar", default_id: str | None = None
) -> CalendarSpec:
    """Validate one calendar object; every problem is reported at once, each naming its field.

    Messages read `<source>.<field>: <problem>`. An object without `id` (or with null) gets
    `default_id` (callers assign one from the store); without either it is refused. Unknown keys are
    ignored, as Timepiece adds its own.
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise InvalidParameters([f"{source}: must be a JSON object, not {_kind(data)}"])

    def problem(field: str, message: str) -> None:
        problems.append(f"{source}.{field}: {message}")

    given_id = data.get("id")
    calendar_id = _parse_id(default_id if given_id is None else given_id, problem)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problem("name", "a non-empty string is required")
    time_zone = data.get("timeZone")
    if not isinstance(time_zone, str) or not time_zone:
        problem("timeZone", "an IANA time zone name such as 'Europe/Berlin' is required")
    elif not _is_zone(time_zone):
        problem("timeZone", f"unknown time zone {time_zone!r} (use an IANA name: 'Europe/Berlin')")
    working_times = _parse_working_times(data.get("workingTimes"), problem)
    holidays = _parse_holidays(data.get("holidays", []), problem)
    if problems:
        raise InvalidParameters(problems)
    assert isinstance(name, str) and isinstance(time_zone, str)
    return CalendarSpec(
        id=calendar_id,
        name=name.strip(),
        time_zone=time_zone,
        working_times=working_times,
        holidays=holidays,
    )


def calendar_to_json(spec: CalendarSpec) -> dict[str, Any]:
    """The Timepiece JSON of `spec`; `parse_calendar` of it gives `spec` back.

    A purely numeric id is written as a number, as Timepiece writes its ids.
    """
    canonical_number = spec.id.isdigit() and str(int(spec.id)) == spec.id
    return {
        "id": int(spec.id) if canonical_number else spec.id,
        "name": spec.name,
        "timeZone": spec.time_zone,
        "workingTimes": [
            {"weekday": WEEKDAYS[w.weekday], "start": w.start_ms, "end": w.end_ms}
            for w in spec.working_times
        ],
        "holidays": [
            {"name": h.name, "date": h.date.isoformat(), "recurring": h.recurring}
            for h in spec.holidays
        ],
    }


def calendar_public(spec: CalendarSpec) -> dict[str, Any]:
    """The JSON `GET /rest/calendar` answers: the §4 shape plus the fields Timepiece adds."""
    equal_days = business_day_ms(spec) is not None
    return {
        **calendar_to_json(spec),
        "isDefault": False,
        "is7x24Calendar": False,
        "allWorkingDaysHaveEqualLengths": equal_days,
        "dailyWorkingHours": daily_working_hours(spec),
    }


def calendar_summary(spec: CalendarSpec | None) -> dict[str, Any]:
    """The `calendar` object of a §8.2 report: normalHours when `spec` is None."""
    return {
        "id": spec.id if spec else NORMAL_HOURS_ID,
        "name": spec.name if spec else "Normal Hours (7/24)",
        "dailyWorkingHours": daily_working_hours(spec),
        "timeZone": spec.time_zone if spec else "UTC",
        "is7x24Calendar": spec is None,
    }


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _parse_id(value: object, problem: _Problem) -> str:
    if value is None:
        problem("id", "is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        problem("id", f"must be an integer or a string, not {_kind(value)}")
        return ""
    text = str(value).strip()
    if not text or len(text) > _MAX_ID_LENGTH or "," in text:
        problem("id", f"must be 1-{_MAX_ID_LENGTH} characters without commas, got {text!r}")
    elif text.lower() == NORMAL_HOURS_ID.lower():
        problem("id", f"{NORMAL_HOURS_ID!r} is the built-in 7/24 calendar and cannot be redefined")
    return text


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _weekday(value: object) -> int | None:
    """0 = Monday for a weekday name in any case ("MONDAY", "Monday"), else None."""
    name = value.upper() if isinstance(value, str) else None
    return WEEKDAYS.index(name) if name in WEEKDAYS else None


def _time_of_day(value: object, field: str, problem: _Problem) -> int | None:
    """Milliseconds after local midnight: an integral JSON number within one day."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problem(field, f"milliseconds after local midnight (an integer) required, got {value!r}")
        return None
    if not 0 <= value <= DAY_MS:
        problem(field, f"{value} is outside 0-{DAY_MS} (the milliseconds of a day)")
        return None
    return value


def _parse_working_times(value: object, problem: _Problem) -> tuple[WorkingTime, ...]:
    if not isinstance(value, list):
        problem("workingTimes", f"an array of working windows is required, not {_kind(value)}")
        return ()
    if not value:
        problem("workingTimes", "at least one working window is required")
    windows: list[tuple[int, WorkingTime]] = []
    for index, entry in enumerate(value):
        field = f"workingTimes[{index}]"
        if not isinstance(entry, Mapping):
            problem(field, f"must be an object, not {_kind(entry)}")
            continue
        weekday = entry.get("weekday")
        day = _weekday(weekday)
        if day is None:
            problem(f"{field}.weekday", f"must be one of {', '.join(WEEKDAYS)}, got {weekday!r}")
        start = _time_of_day(entry.get("start"), f"{field}.start", problem)
        end = _time_of_day(entry.get("end"), f"{field}.end", problem)
        if start is None or end is None:
            continue
        if start >= end:
            problem(field, f"start {start} must be before end {end}")
        elif day is not None:
            windows.append((index, WorkingTime(day, start, end)))
    _check_overlaps(windows, problem)
    return tuple(window for _, window in windows)


def _check_overlaps(windows: list[tuple[int, WorkingTime]], problem: _Problem) -> None:
    """Windows of one weekday may touch (shifts back to back) but not overlap."""
    ordered = sorted(windows, key=lambda item: (item[1].weekday, item[1].start_ms))
    for (first_index, first), (second_index, second) in itertools.pairwise(ordered):
        if first.weekday == second.weekday and second.start_ms < first.end_ms:
            problem(
                f"workingTimes[{second_index}]",
                f"overlaps workingTimes[{first_index}] on {WEEKDAYS[first.weekday]}",
            )


def _parse_holidays(value: object, problem: _Problem) -> tuple[Holiday, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problem("holidays", f"must be an array, not {_kind(value)}")
        return ()
    holidays: list[Holiday] = []
    for index, entry in enumerate(value):
        field = f"holidays[{index}]"
        if not isinstance(entry, Mapping):
            problem(field, f"must be an object, not {_kind(entry)}")
            continue
        name = entry.get("name", "")
        if not isinstance(name, str):
            problem(f"{field}.name", f"must be a string, not {_kind(name)}")
        recurring = entry.get("recurring", False)
        if not isinstance(recurring, bool):
            problem(f"{field}.recurring", f"must be true or false, not {recurring!r}")
        day = _parse_date(entry.get("date"))
        if day is None:
            problem(
                f"{field}.date",
                f"a date 'yyyy-MM-dd' (or Timepiece's 'dd/MMM/yy') is required, "
                f"got {entry.get('date')!r}",
            )
        if isinstance(name, str) and isinstance(recurring, bool) and day is not None:
            holidays.append(Holiday(name=name, date=day, recurring=recurring))
    return tuple(holidays)


def _parse_date(value: object) -> date | None:
    """`yyyy-MM-dd`, or Timepiece's `dd/MMM/yy` with an English month (two-digit years are
    20yy: Timepiece calendars hold current holidays, not last century's)."""
    if not isinstance(value, str):
        return None
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
        match = _TIMEPIECE_DATE.fullmatch(value.strip())
        if match is None or match[2].lower() not in _MONTHS:
            return None
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        return date(year, _MONTHS.index(match[2].lower()) + 1, int(match[1]))
    except ValueError:
        return None
