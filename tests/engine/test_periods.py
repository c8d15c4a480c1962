"""period_bounds, period_index and split_at_bounds: DST, ISO weeks, labels, additivity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.engine.timeline.periods import period_bounds, period_index, split_at_bounds
from dwelltime.engine.timeline.work_clock import WorkClock
from dwelltime.params.model import TimePeriod
from tests.engine.calendar_strategies import HOUR_MS, calendars, intervals

BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp() * 1000)


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=zone).timestamp() * 1000)


@pytest.mark.parametrize(
    ("zone", "period", "start", "end", "bounds", "labels"),
    [
        pytest.param(
            BERLIN,
            TimePeriod.MONTH,
            local(BERLIN, 2026, 3, 15),
            local(BERLIN, 2026, 4, 2),
            [utc(2026, 2, 28, 23), utc(2026, 3, 31, 22), utc(2026, 4, 30, 22)],
            ["2026-03", "2026-04"],
            id="berlin-months-move-with-dst",
        ),
        pytest.param(
            BERLIN,
            TimePeriod.DAY,
            local(BERLIN, 2026, 3, 29, 1),
            local(BERLIN, 2026, 3, 29, 5),
            [utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)],
            ["2026-03-29"],
            id="berlin-spring-forward-day-is-23-hours",
        ),
        pytest.param(
            BERLIN,
            TimePeriod.DAY,
            local(BERLIN, 2026, 10, 25, 12),
            local(BERLIN, 2026, 10, 26, 12),
            [utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), utc(2026, 10, 26, 23)],
            ["2026-10-25", "2026-10-26"],
            id="berlin-fall-back-day-is-25-hours",
        ),
        pytest.param(
            ZoneInfo("UTC"),
            TimePeriod.WEEK,
            utc(2026, 12, 30),
            utc(2027, 1, 5),
            [utc(2026, 12, 28), utc(2027, 1, 4), utc(2027, 1, 11)],
            ["2026-W53", "2027-W01"],
            id="iso-week-53-of-2026-holds-new-year",
        ),
        pytest.param(
            ZoneInfo("UTC"),
            TimePeriod.WEEK,
            utc(2024, 12, 31),
            utc(2024, 12, 31, 5),
            [utc(2024, 12, 30), utc(2025, 1, 6)],
            ["2025-W01"],
            id="iso-week-belongs-to-the-year-of-its-thursday",
        ),
        pytest.param(
            ZoneInfo("UTC"),
            TimePeriod.QUARTER,
            utc(2026, 11, 15),
            utc(2027, 2, 1),
            [utc(2026, 10, 1), utc(2027, 1, 1), utc(2027, 4, 1)],
            ["2026-Q4", "2027-Q1"],
            id="quarters-across-a-year-end",
        ),
        pytest.param(
            ZoneInfo("Asia/Kolkata"),
            TimePeriod.YEAR,
            utc(2026, 12, 31, 19),
            utc(2026, 12, 31, 20),
            [utc(2026, 12, 31, 18) + HOUR_MS // 2, utc(2027, 12, 31, 18) + HOUR_MS // 2],
            ["2027"],
            id="kolkata-new-year-comes-before-utc",
        ),
        pytest.param(
            ZoneInfo("UTC"),
            TimePeriod.MONTH,
            utc(2026, 11, 5),
            utc(2026, 12, 1),
            [utc(2026, 11, 1), utc(2026, 12, 1), utc(2027, 1, 1)],
            ["2026-11", "2026-12"],
            id="an-end-on-a-boundary-gets-the-next-period-too",
        ),
    ],
)
def test_period_bounds(
    zone: ZoneInfo,
    period: TimePeriod,
    start: int,
    end: int,
    bounds: list[int],
    labels: list[str],
) -> None:
    got_bounds, got_labels = period_bounds(zone, period, start, end)
    assert got_bounds.tolist() == bounds
    assert got_labels == labels


def test_an_end_before_the_start_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        period_bounds(BERLIN, TimePeriod.DAY, 10, 5)


def test_split_at_bounds_cuts_and_keeps_zero_length_visits() -> None:
    bounds = np.array([0, 10, 20, 30], dtype=np.int64)
    pieces = split_at_bounds(
        bounds,
        np.array([5, 12, 20, 25], dtype=np.int64),
        np.array([25, 12, 20, 30], dtype=np.int64),
    )
    assert pieces.visit.tolist() == [0, 0, 0, 1, 2, 3]
    assert pieces.period.tolist() == [0, 1, 2, 1, 2, 2]
    assert pieces.start_ms.tolist() == [5, 10, 20, 12, 20, 25]
    assert pieces.end_ms.tolist() == [10, 20, 25, 12, 20, 30]
    assert period_index(bounds, [0, 9, 10, 29]).tolist() == [0, 0, 1, 2]


def reference_label(zone: ZoneInfo, period: TimePeriod, instant_ms: int) -> str:
    """The period label of an instant, straight from its local date."""
    day = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=instant_ms)).astimezone(zone)
    iso = day.isocalendar()
    return {
        TimePeriod.DAY: day.date().isoformat(),
        TimePeriod.WEEK: f"{iso.year}-W{iso.week:02d}",
        TimePeriod.MONTH: f"{day.year}-{day.month:02d}",
        TimePeriod.QUARTER: f"{day.year}-Q{(day.month + 2) // 3}",
        TimePeriod.YEAR: str(day.year),
    }[period]


@settings(max_examples=60, deadline=None)
@given(calendars(), st.sampled_from(TimePeriod), st.lists(intervals(), min_size=1, max_size=4))
def test_pieces_add_up_and_carry_their_period(
    spec: CalendarSpec, period: TimePeriod, spans: list[tuple[int, int]]
) -> None:
    clock = WorkClock.for_calendar(spec)
    entered = np.array([start for start, _ in spans], dtype=np.int64)
    left = np.array([end for _, end in spans], dtype=np.int64)
    bounds, labels = period_bounds(clock.time_zone, period, int(entered.min()), int(left.max()))
    assert bounds[0] <= entered.min() and bounds[-1] > left.max()
    assert bool(np.all(np.diff(bounds) > 0)) and len(labels) == bounds.size - 1
    pieces = split_at_bounds(bounds, entered, left)
    per_visit = np.bincount(
        pieces.visit, weights=clock.between(pieces.start_ms, pieces.end_ms), minlength=len(spans)
    )
    assert per_visit.astype(np.int64).tolist() == clock.between(entered, left).tolist()
    for visit, index, start in zip(pieces.visit, pieces.period, pieces.start_ms, strict=True):
        assert labels[index] == reference_label(clock.time_zone, period, int(start))
        assert bounds[index] <= start < bounds[index + 1] or entered[visit] == left[visit]
