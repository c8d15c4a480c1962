"""Hypothesis strategies for business calendars and instants near their awkward days.

Shared by the calendar, period and report property tests: zones with DST (including Lord
Howe's 30-minute shift), shifts per weekday (adjacent ones too), one-off and recurring
holidays, and instants clustered around DST changes, holidays and year ends.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
)

# Local dates on which the zones above change their clocks, and year ends, in 2024-2026.
AWKWARD_DATES = (
    date(2024, 3, 31),
    date(2024, 10, 27),
    date(2025, 3, 9),
    date(2025, 11, 2),
    date(2025, 4, 6),
    date(2025, 10, 5),
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2024, 2, 29),
    date(2024, 12, 31),
    date(2025, 12, 31),
)

_wall_point = st.one_of(
    st.integers(0, 48).map(lambda half_hours: half_hours * HOUR_MS // 2),
    st.integers(0, DAY_MS),
)


@st.composite
def weekday_windows(draw: st.DrawFn, weekday: int) -> list[WorkingTime]:
    """0-3 shifts of one weekday: consecutive pairs of sorted points, so never overlapping."""
    points = sorted(set(draw(st.lists(_wall_point, min_size=0, max_size=5))))
    pairs = list(itertools.pairwise(points))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3)) if pairs else []
    return [WorkingTime(weekday, start, end) for start, end in sorted(chosen)]


@st.composite
def calendars(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> CalendarSpec:
    working_times = [window for weekday in range(7) for window in draw(weekday_windows(weekday))]
    holiday_dates = st.one_of(
        st.sampled_from(AWKWARD_DATES),
        st.dates(date(2023, 1, 1), date(2027, 12, 31)),
    )
    holidays = draw(
        st.lists(st.builds(Holiday, st.just("Holiday"), holiday_dates, st.booleans()), max_size=4)
    )
    return CalendarSpec(
        id=str(draw(st.integers(1, 99_999))),
        name="Generated",
        time_zone=draw(st.sampled_from(zones)),
        working_times=tuple(working_times),
        holidays=tuple(holidays),
    )


def _ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


instants = st.one_of(
    st.builds(
        lambda day, offset: _ms(datetime(day.year, day.month, day.day, tzinfo=UTC)) + offset,
        st.sampled_from(AWKWARD_DATES),
        st.integers(-2 * DAY_MS, 2 * DAY_MS),
    ),
    st.integers(_ms(datetime(2023, 6, 1, tzinfo=UTC)), _ms(datetime(2027, 6, 1, tzinfo=UTC))),
)
"""Instants in 2023-2027, half of them within two days of a DST change, Feb 29 or a year end."""


@st.composite
def intervals(draw: st.DrawFn, max_length_ms: int = 40 * DAY_MS) -> tuple[int, int]:
    start = draw(instants)
    return start, start + draw(st.integers(0, max_length_ms))
