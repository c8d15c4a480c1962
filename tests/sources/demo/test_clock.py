"""The demo's working-hours clock: weekends, holidays and DST changes in local time."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.sources.demo.clock import HOUR_MS, WorkingClock

FIRST = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
LAST = datetime(2027, 2, 1, tzinfo=ZoneInfo("UTC"))


@cache
def clock(zone: str) -> WorkingClock:
    """09:00–17:00 on weekdays in `zone`."""
    return WorkingClock(zone, 9, 8, _ms(FIRST), _ms(LAST))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


Wall = tuple[int, int, int, int]  # year, month, day, hour


def _local(zone: str, wall: Wall) -> datetime:
    year, month, day, hour = wall
    return datetime(year, month, day, hour, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("zone", "start", "hours", "expected"),
    [
        pytest.param("Europe/Berlin", (2026, 3, 4, 10), 3, (2026, 3, 4, 13), id="inside-one-day"),
        pytest.param("Europe/Berlin", (2026, 3, 6, 16), 2, (2026, 3, 9, 10), id="over-a-weekend"),
        pytest.param(
            "Europe/Berlin", (2026, 3, 27, 16), 2, (2026, 3, 30, 10), id="over-spring-dst"
        ),
        pytest.param(
            "America/New_York", (2026, 10, 30, 16), 2, (2026, 11, 2, 10), id="over-autumn-dst"
        ),
        pytest.param("Australia/Sydney", (2026, 4, 3, 16), 2, (2026, 4, 6, 10), id="southern-dst"),
        pytest.param(
            "Asia/Kolkata", (2026, 12, 24, 16), 2, (2026, 12, 28, 10), id="over-christmas"
        ),
        pytest.param("Europe/Berlin", (2026, 3, 7, 12), 1, (2026, 3, 9, 10), id="from-a-saturday"),
        pytest.param(
            "Europe/Berlin", (2026, 3, 4, 9), 8, (2026, 3, 5, 9), id="a-full-day-ends-next-morning"
        ),
    ],
)
def test_after_counts_only_local_working_hours(
    zone: str, start: Wall, hours: int, expected: Wall
) -> None:
    reached = clock(zone).after(_ms(_local(zone, start)), hours * HOUR_MS)
    assert reached == _ms(_local(zone, expected))


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney"]),
    # Ends stay well inside the clock's range (400 working hours < 80 calendar days).
    start=st.integers(min_value=_ms(FIRST), max_value=_ms(LAST) - 120 * 24 * HOUR_MS),
    working=st.integers(min_value=1, max_value=400 * HOUR_MS),
)
def test_after_adds_exactly_the_working_time_and_moves_forward(
    zone: str, start: int, working: int
) -> None:
    working_clock = clock(zone)
    reached = working_clock.after(start, working)
    assert reached > start
    assert working_clock.working_before(reached) == working_clock.working_before(start) + working
    local = datetime.fromtimestamp(reached / 1000, ZoneInfo(zone))
    assert local.weekday() < 5 and 9 <= local.hour + local.minute / 60 <= 17


@settings(max_examples=40, deadline=None)
@given(
    first=st.integers(min_value=_ms(FIRST), max_value=_ms(LAST)),
    span=st.integers(min_value=0, max_value=90 * 24 * HOUR_MS),
    fraction=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_random_point_is_a_working_instant_not_before_first(
    first: int, span: int, fraction: float
) -> None:
    point = clock("Europe/Berlin").random_point(first, first + span, fraction)
    assert point >= first
    local = datetime.fromtimestamp(point / 1000, ZoneInfo("Europe/Berlin"))
    assert local.weekday() < 5 and 9 <= local.hour < 17
