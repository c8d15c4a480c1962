"""WorkClock and business_day_ms: golden cases by hand, and agreement with the reference."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime, business_day_ms
from dwelltime.engine.timeline.work_clock import WorkClock
from tests.engine.calendar_strategies import HOUR_MS, calendars, instants, intervals
from tests.engine.reference.working_time import reference_working_ms

MINUTE_MS = 60_000


def office(
    zone: str = "Europe/Berlin",
    windows: tuple[tuple[int, int], ...] = ((9 * HOUR_MS, 17 * HOUR_MS),),
    weekdays: range = range(5),
    holidays: tuple[Holiday, ...] = (),
) -> CalendarSpec:
    return CalendarSpec(
        id="1",
        name="Office",
        time_zone=zone,
        working_times=tuple(WorkingTime(d, s, e) for d in weekdays for s, e in windows),
        holidays=holidays,
    )


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Epoch ms of a wall time in `zone` (its first occurrence)."""
    moment = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    return int(moment.timestamp() * 1000)


def working(spec: CalendarSpec | None, start_ms: int, end_ms: int) -> int:
    return int(WorkClock.for_calendar(spec).between(np.array([start_ms]), np.array([end_ms]))[0])


BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("spec", "start", "end", "expected_ms"),
    [
        pytest.param(
            office(),
            at(BERLIN, 2026, 11, 27, 16),
            at(BERLIN, 2026, 12, 2, 16),
            24 * HOUR_MS,
            id="spec-worked-example-friday-to-wednesday",
        ),
        pytest.param(
            None,
            at("UTC", 2026, 11, 27, 16),
            at("UTC", 2026, 12, 2, 16),
            120 * HOUR_MS,
            id="spec-worked-example-normal-hours",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((HOUR_MS, 4 * HOUR_MS),)),
            at(BERLIN, 2026, 3, 29),
            at(BERLIN, 2026, 3, 30),
            2 * HOUR_MS,
            id="spring-forward-window-01-04-is-two-hours",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((HOUR_MS, 4 * HOUR_MS),)),
            at(BERLIN, 2026, 10, 25),
            at(BERLIN, 2026, 10, 26),
            4 * HOUR_MS,
            id="fall-back-window-01-04-is-four-hours",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((2 * HOUR_MS, 2 * HOUR_MS + 30 * MINUTE_MS),)),
            at(BERLIN, 2026, 3, 29),
            at(BERLIN, 2026, 3, 30),
            0,
            id="window-inside-the-spring-gap-is-empty",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((2 * HOUR_MS, 2 * HOUR_MS + 30 * MINUTE_MS),)),
            at(BERLIN, 2026, 10, 25),
            at(BERLIN, 2026, 10, 26),
            30 * MINUTE_MS,
            id="repeated-hour-window-counts-its-first-pass",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((0, 24 * HOUR_MS),)),
            at(BERLIN, 2026, 3, 29),
            at(BERLIN, 2026, 3, 30),
            23 * HOUR_MS,
            id="all-day-window-on-a-23-hour-day",
        ),
        pytest.param(
            office(weekdays=range(7), windows=((0, 24 * HOUR_MS),)),
            at("America/New_York", 2026, 11, 1),
            at("America/New_York", 2026, 11, 2),
            25 * HOUR_MS,
            id="all-day-window-on-a-25-hour-day",
        ),
        pytest.param(
            office(
                zone="Australia/Lord_Howe",
                weekdays=range(7),
                windows=((HOUR_MS, 3 * HOUR_MS),),
            ),
            at("Australia/Lord_Howe", 2026, 10, 4),
            at("Australia/Lord_Howe", 2026, 10, 5),
            90 * MINUTE_MS,
            id="lord-howe-half-hour-spring-forward",
        ),
        pytest.param(
            office(holidays=(Holiday("Christmas", date(2019, 12, 25), recurring=True),)),
            at(BERLIN, 2026, 12, 24),
            at(BERLIN, 2026, 12, 26),
            8 * HOUR_MS,
            id="recurring-holiday-from-2019-applies-in-2026",
        ),
        pytest.param(
            office(holidays=(Holiday("Once", date(2025, 12, 25), recurring=False),)),
            at(BERLIN, 2026, 12, 24),
            at(BERLIN, 2026, 12, 26),
            16 * HOUR_MS,
            id="one-off-holiday-of-another-year-does-not-apply",
        ),
        pytest.param(
            office(holidays=(Holiday("Leap", date(2024, 2, 29), recurring=True),)),
            at(BERLIN, 2027, 2, 26),
            at(BERLIN, 2027, 3, 2),
            16 * HOUR_MS,
            id="recurring-feb-29-is-not-march-1-in-common-years",
        ),
        pytest.param(
            office(holidays=(Holiday("Leap", date(2024, 2, 29), recurring=True),)),
            at(BERLIN, 2028, 2, 28),
            at(BERLIN, 2028, 3, 1),
            8 * HOUR_MS,
            id="recurring-feb-29-applies-in-leap-years",
        ),
        pytest.param(
            office(),
            at(BERLIN, 2026, 11, 30, 18),
            at(BERLIN, 2026, 12, 1, 8, 59),
            0,
            id="inside-a-non-working-night",
        ),
        pytest.param(
            office(),
            at(BERLIN, 2026, 11, 30, 10, 15),
            at(BERLIN, 2026, 11, 30, 12, 45) + 7,
            150 * MINUTE_MS + 7,
            id="entirely-within-one-window",
        ),
        pytest.param(
            office(windows=((8 * HOUR_MS, 12 * HOUR_MS), (12 * HOUR_MS, 14 * HOUR_MS))),
            at(BERLIN, 2026, 11, 30, 11),
            at(BERLIN, 2026, 11, 30, 13),
            2 * HOUR_MS,
            id="adjacent-shifts-join-seamlessly",
        ),
        pytest.param(
            office(windows=((6 * HOUR_MS, 10 * HOUR_MS), (18 * HOUR_MS, 24 * HOUR_MS))),
            at(BERLIN, 2026, 11, 30, 9),
            at(BERLIN, 2026, 12, 1, 7),
            HOUR_MS + 6 * HOUR_MS + HOUR_MS,
            id="two-shifts-and-a-window-to-midnight",
        ),
        pytest.param(
            office(zone="America/Sao_Paulo", weekdays=range(7), windows=((0, 12 * HOUR_MS),)),
            at("America/Sao_Paulo", 2018, 11, 3, 12),
            at("America/Sao_Paulo", 2018, 11, 4, 20),
            11 * HOUR_MS,
            id="sao-paulo-2018-midnight-does-not-exist",
        ),
        pytest.param(
            office(zone="Pacific/Apia", weekdays=range(7)),
            at("Pacific/Apia", 2011, 12, 29),
            at("Pacific/Apia", 2012, 1, 1),
            16 * HOUR_MS,
            id="apia-2011-12-30-was-skipped",
        ),
        pytest.param(
            office(zone="Asia/Kolkata"),
            at("UTC", 2026, 11, 30, 3, 30),
            at("UTC", 2026, 11, 30, 11, 30),
            8 * HOUR_MS,
            id="kolkata-half-hour-offset",
        ),
    ],
)
def test_working_time_golden(
    spec: CalendarSpec | None, start: int, end: int, expected_ms: int
) -> None:
    assert working(spec, start, end) == expected_ms
    assert reference_working_ms(spec, start, end) == expected_ms


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(None, None, id="normal-hours"),
        pytest.param(office(), 8 * HOUR_MS, id="nine-to-five"),
        pytest.param(
            office(windows=((8 * HOUR_MS, 12 * HOUR_MS), (13 * HOUR_MS, 17 * HOUR_MS))),
            8 * HOUR_MS,
            id="two-shifts-sum",
        ),
        pytest.param(
            CalendarSpec(
                "2",
                "Short Friday",
                "UTC",
                (
                    *(WorkingTime(d, 9 * HOUR_MS, 17 * HOUR_MS) for d in range(4)),
                    WorkingTime(4, 9 * HOUR_MS, 13 * HOUR_MS),
                ),
            ),
            None,
            id="unequal-days",
        ),
        pytest.param(CalendarSpec("3", "Empty", "UTC", ()), None, id="no-working-time"),
    ],
)
def test_business_day_ms(spec: CalendarSpec | None, expected: int | None) -> None:
    assert business_day_ms(spec) == expected


def test_normal_hours_is_identity_in_utc() -> None:
    clock = WorkClock.for_calendar(None)
    values = np.array([-5, 0, 1_800_000_000_000], dtype=np.int64)
    assert clock.time_zone == ZoneInfo("UTC")
    assert clock.cumulative(values).tolist() == values.tolist()


def test_shapes_and_empty_input() -> None:
    clock = WorkClock.for_calendar(office())
    assert clock.cumulative(np.array([], dtype=np.int64)).shape == (0,)
    grid = np.full((2, 3), at(BERLIN, 2026, 11, 30, 10), dtype=np.int64)
    assert clock.between(grid, grid + HOUR_MS).tolist() == [[HOUR_MS] * 3] * 2


def test_whole_supported_range_in_one_call() -> None:
    """1970-2100 in one array: 5 days of 8 hours a week, minus nothing (no holidays)."""
    clock = WorkClock.for_calendar(office(zone="UTC"))
    start, end = at("UTC", 1970, 1, 5), at("UTC", 2100, 1, 4)  # Monday to Monday
    weeks = (end - start) // (7 * 24 * HOUR_MS)
    assert clock.between(np.array([start]), np.array([end]))[0] == weeks * 40 * HOUR_MS


def test_instants_outside_the_supported_years_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the years"):
        WorkClock.for_calendar(office()).cumulative(np.array([2**62], dtype=np.int64))


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


@PROPERTY_SETTINGS
@given(calendars(), st.lists(intervals(), min_size=1, max_size=5))
def test_between_agrees_with_reference(spec: CalendarSpec, spans: list[tuple[int, int]]) -> None:
    starts = np.array([start for start, _ in spans], dtype=np.int64)
    ends = np.array([end for _, end in spans], dtype=np.int64)
    expected = [reference_working_ms(spec, start, end) for start, end in spans]
    assert WorkClock.for_calendar(spec).between(starts, ends).tolist() == expected


@settings(max_examples=30, deadline=None)
@given(
    calendars(),
    st.integers(at("UTC", 1970, 1, 1), at("UTC", 2100, 12, 20)),
    st.integers(0, 10 * 24 * HOUR_MS),
)
def test_between_agrees_with_reference_from_1970_to_2100(
    spec: CalendarSpec, start: int, length: int
) -> None:
    clock = WorkClock.for_calendar(spec)
    got = clock.between(np.array([start]), np.array([start + length]))
    assert int(got[0]) == reference_working_ms(spec, start, start + length)


@PROPERTY_SETTINGS
@given(calendars(), st.lists(instants, min_size=2, max_size=20))
def test_cumulative_is_monotone(spec: CalendarSpec, points: list[int]) -> None:
    ordered = np.sort(np.array(points, dtype=np.int64))
    values = WorkClock.for_calendar(spec).cumulative(ordered)
    assert bool(np.all(np.diff(values) >= 0))
    assert bool(np.all(np.diff(values) <= np.diff(ordered)))


@settings(max_examples=30, deadline=None)
@given(
    calendars(),
    st.lists(instants, min_size=3, max_size=3),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_additive_across_separate_calls(
    spec: CalendarSpec, points: list[int], back: int, ahead: int
) -> None:
    """W(a→d) = W(a→b) + W(b→c) + W(c→d), and W keeps its origin, while the table grows
    backwards (a is years earlier) and forwards (d is years later) between the calls."""
    a, b, c = sorted(points)
    a -= back * 365 * 24 * HOUR_MS
    d = c + ahead * 365 * 24 * HOUR_MS
    clock = WorkClock.for_calendar(spec)
    w_b = clock.cumulative(np.array([b]))
    middle = clock.between(np.array([b]), np.array([c]))
    first = clock.between(np.array([a]), np.array([b]))
    last = clock.between(np.array([c]), np.array([d]))
    assert clock.cumulative(np.array([b])).tolist() == w_b.tolist()
    whole = WorkClock.for_calendar(spec).between(np.array([a]), np.array([d]))
    assert int(first[0] + middle[0] + last[0]) == int(whole[0])
