"""calendar_json: Timepiece's calendar JSON parsed with every problem named, and round trips."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings

from dwelltime.domain.calendar_json import calendar_to_json, parse_calendar
from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.errors import InvalidParameters
from tests.engine.calendar_strategies import calendars

BERLIN_OFFICE: dict[str, Any] = {
    "id": 10776,
    "name": "Berlin office",
    "timeZone": "Europe/Berlin",
    "workingTimes": [
        {"weekday": "MONDAY", "start": 32400000, "end": 43200000},
        {"weekday": "MONDAY", "start": 43200000, "end": 61200000},
        {"weekday": "friday", "start": 32400000.0, "end": 46800000},
    ],
    "holidays": [
        {"name": "Christmas", "date": "2026-12-25", "recurring": True},
        {"name": "Move", "date": "2026-06-01"},
    ],
    "owner": "ignored",
}


def test_parses_the_spec_example() -> None:
    assert parse_calendar(BERLIN_OFFICE) == CalendarSpec(
        id="10776",
        name="Berlin office",
        time_zone="Europe/Berlin",
        working_times=(
            WorkingTime(0, 32400000, 43200000),
            WorkingTime(0, 43200000, 61200000),
            WorkingTime(4, 32400000, 46800000),
        ),
        holidays=(
            Holiday("Christmas", date(2026, 12, 25), recurring=True),
            Holiday("Move", date(2026, 6, 1), recurring=False),
        ),
    )


DATE_REQUIRED = "a date 'yyyy-MM-dd' (or Timepiece's 'dd/MMM/yy') is required"


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**BERLIN_OFFICE, **changes}


def window(weekday: Any = "MONDAY", start: Any = 0, end: Any = 1000) -> dict[str, Any]:
    return {"weekday": weekday, "start": start, "end": end}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            with_changes(timeZone="Europe/Berln"),
            ["cal.timeZone: unknown time zone 'Europe/Berln' (use an IANA name: 'Europe/Berlin')"],
            id="unknown-zone",
        ),
        pytest.param(
            with_changes(timeZone="../etc/passwd"),
            ["cal.timeZone: unknown time zone '../etc/passwd' (use an IANA name: 'Europe/Berlin')"],
            id="zone-that-is-a-path",
        ),
        pytest.param(
            {k: v for k, v in BERLIN_OFFICE.items() if k not in ("name", "timeZone")},
            [
                "cal.name: a non-empty string is required",
                "cal.timeZone: an IANA time zone name such as 'Europe/Berlin' is required",
            ],
            id="missing-name-and-zone",
        ),
        pytest.param(
            with_changes(id=None),
            ["cal.id: is missing"],
            id="missing-id-without-default",
        ),
        pytest.param(
            with_changes(id=True),
            ["cal.id: must be an integer or a string, not a boolean"],
            id="bool-id",
        ),
        pytest.param(
            with_changes(id=10776.5),
            ["cal.id: must be an integer or a string, not a number"],
            id="fractional-id",
        ),
        pytest.param(
            with_changes(id="NormalHours"),
            ["cal.id: 'normalHours' is the built-in 7/24 calendar and cannot be redefined"],
            id="reserved-id",
        ),
        pytest.param(
            with_changes(id="1,2"),
            ["cal.id: must be 1-100 characters without commas, got '1,2'"],
            id="id-with-comma",
        ),
        pytest.param(
            with_changes(workingTimes=[]),
            ["cal.workingTimes: at least one working window is required"],
            id="no-windows",
        ),
        pytest.param(
            with_changes(workingTimes={"weekday": "MONDAY"}),
            ["cal.workingTimes: an array of working windows is required, not an object"],
            id="windows-not-an-array",
        ),
        pytest.param(
            with_changes(
                workingTimes=[
                    window(weekday="MONDAYS"),
                    window(start=-1, end=86_400_001),
                    window(start="9:00", end=None),
                    window(start=5000, end=5000),
                    window(start=1.5),
                    "09:00-17:00",
                ]
            ),
            [
                "cal.workingTimes[0].weekday: must be one of MONDAY, TUESDAY, WEDNESDAY, "
                "THURSDAY, FRIDAY, SATURDAY, SUNDAY, got 'MONDAYS'",
                "cal.workingTimes[1].start: -1 is outside 0-86400000 (the milliseconds of a day)",
                "cal.workingTimes[1].end: 86400001 is outside 0-86400000 "
                "(the milliseconds of a day)",
                "cal.workingTimes[2].start: milliseconds after local midnight (an integer) "
                "required, got '9:00'",
                "cal.workingTimes[2].end: milliseconds after local midnight (an integer) "
                "required, got None",
                "cal.workingTimes[3]: start 5000 must be before end 5000",
                "cal.workingTimes[4].start: milliseconds after local midnight (an integer) "
                "required, got 1.5",
                "cal.workingTimes[5]: must be an object, not a string",
            ],
            id="bad-windows",
        ),
        pytest.param(
            with_changes(
                workingTimes=[
                    window(start=0, end=5000),
                    window(weekday="TUESDAY", start=3000, end=9000),
                    window(start=4000, end=9000),
                    window(start=5000, end=6000),
                ]
            ),
            [
                "cal.workingTimes[2]: overlaps workingTimes[0] on MONDAY",
                "cal.workingTimes[3]: overlaps workingTimes[2] on MONDAY",
            ],
            id="overlapping-windows-of-one-weekday",
        ),
        pytest.param(
            with_changes(
                holidays=[
                    {"name": "A", "date": "2026-02-30"},
                    {"name": "B", "date": "26-12-25"},
                    {"name": 7, "date": "2026-12-25", "recurring": "yes"},
                    [],
                ]
            ),
            [
                f"cal.holidays[0].date: {DATE_REQUIRED}, got '2026-02-30'",
                f"cal.holidays[1].date: {DATE_REQUIRED}, got '26-12-25'",
                "cal.holidays[2].name: must be a string, not a number",
                "cal.holidays[2].recurring: must be true or false, not 'yes'",
                "cal.holidays[3]: must be an object, not an array",
            ],
            id="bad-holidays",
        ),
    ],
)
def test_every_problem_is_named(data: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_calendar(data, source="cal")
    assert caught.value.messages == expected


def test_not_an_object() -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_calendar([BERLIN_OFFICE], source="file.json[0]")  # type: ignore[arg-type]
    assert caught.value.messages == ["file.json[0]: must be a JSON object, not an array"]


def test_missing_id_takes_the_default() -> None:
    data = {k: v for k, v in BERLIN_OFFICE.items() if k != "id"}
    assert parse_calendar(data, default_id="7").id == "7"
    assert parse_calendar(BERLIN_OFFICE, default_id="7").id == "10776"


def test_json_uses_timepiece_names_and_numeric_ids() -> None:
    as_json = calendar_to_json(parse_calendar(BERLIN_OFFICE))
    assert as_json["id"] == 10776
    assert as_json["workingTimes"][2] == {"weekday": "FRIDAY", "start": 32400000, "end": 46800000}
    assert as_json["holidays"][1] == {"name": "Move", "date": "2026-06-01", "recurring": False}


@settings(max_examples=50, deadline=None)
@given(calendars())
def test_round_trip(spec: CalendarSpec) -> None:
    for calendar_id in ("10776", "berlin-office", "007"):
        named = CalendarSpec(
            calendar_id,
            spec.name,
            spec.time_zone,
            spec.working_times or ((WorkingTime(0, 0, 1),)),
            spec.holidays,
        )
        assert parse_calendar(calendar_to_json(named)) == named


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("25/Dec/25", date(2025, 12, 25), id="timepiece-dd-MMM-yy"),
        pytest.param("1/jan/2027", date(2027, 1, 1), id="four-digit-year-any-case"),
        pytest.param("2026-12-25", date(2026, 12, 25), id="iso"),
    ],
)
def test_holiday_dates_in_timepiece_spellings(text: str, expected: date) -> None:
    spec = parse_calendar(with_changes(holidays=[{"name": "H", "date": text}]))
    assert spec.holidays == (Holiday("H", expected),)


@pytest.mark.parametrize("text", ["31/Feb/25", "25/Dez/25", "25-Dec-25", "25/12/25"])
def test_impossible_or_unknown_spellings_are_named(text: str) -> None:
    with pytest.raises(InvalidParameters) as raised:
        parse_calendar(with_changes(holidays=[{"name": "H", "date": text}]))
    assert raised.value.messages is not None
    assert raised.value.messages[0].startswith("calendar.holidays[0].date:")
