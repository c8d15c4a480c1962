"""Working time: the monotone clock W(t) of a calendar, and the business-day length.

A business calendar's working windows, laid out on the time line, are disjoint intervals in
UTC; W(t) is the working time before t, so a visit's working time is W(left) - W(entered) for
a whole array of visits at once (DESIGN.md, "The engine, fast", point 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.local_time import local_date, offsets_at_ms, wall_to_instant_ms

Instants = npt.NDArray[np.int64]

_UTC = ZoneInfo("UTC")
_DAY_MS = 86_400_000
_EPOCH_DAY = date(1970, 1, 1)
# The table grows in whole local years, plus this margin, so that a stream of batches a few
# days apart does not rebuild it again and again.
_EXTRA_YEARS = 1
# datetime's own range, less room for that margin.
_FIRST_YEAR = 1 + _EXTRA_YEARS
_LAST_YEAR = 9999 - 1 - _EXTRA_YEARS


@dataclass(frozen=True, slots=True)
class _Windows:
    """Working windows of a run of local days, as disjoint UTC intervals in time order.

    `before[i]` is the working time from the clock's origin to `starts[i]`. The first entry
    is a zero-length sentinel at `covered_from`, so every covered instant has a window at or
    before it.
    """

    covered_from: int
    covered_to: int
    first_day: date
    end_day: date  # exclusive
    starts: Instants
    ends: Instants
    before: Instants
    # A binary search of millions of instants costs more than the rest of W together, so
    # windows are found through 24-hour buckets from `covered_from` instead: `grid[k]` is
    # the last window starting at or before bucket k's start, and at most `steps` more
    # windows start inside any one bucket.
    grid: npt.NDArray[np.intp] = field(init=False)
    steps: int = field(init=False)

    def __post_init__(self) -> None:
        buckets = self.covered_from + _DAY_MS * np.arange(
            (self.covered_to - self.covered_from) // _DAY_MS + 2, dtype=np.int64
        )
        grid = np.searchsorted(self.starts, buckets, side="right") - 1
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "steps", int(np.diff(grid).max(initial=0)))

    def locate(self, instants: Instants) -> npt.NDArray[np.intp]:
        """Index of the last window starting at or before each (covered) instant."""
        index = self.grid[(instants - self.covered_from) // _DAY_MS]
        last = self.starts.size - 1
        for _ in range(self.steps):
            following = np.minimum(index + 1, last)
            index = np.where(self.starts[following] <= instants, following, index)
        return index


class _DayRules:
    """Which wall-clock windows each local date has: its weekday's, unless it is a holiday.

    Dates are day numbers (days since 1970-01-01), so whole ranges are judged at once.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        by_weekday: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for window in spec.working_times:
            by_weekday[window.weekday].append((window.start_ms, window.end_ms))
        self.by_weekday = [sorted(windows) for windows in by_weekday]
        self.one_off = np.array(
            [_day_number(h.date) for h in spec.holidays if not h.recurring], dtype=np.int64
        )
        # Month * 100 + day. A recurring Feb 29 only exists in leap years (docs/decisions.md).
        self.recurring = np.array(
            [h.date.month * 100 + h.date.day for h in spec.holidays if h.recurring], dtype=np.int64
        )

    def is_working_day(self, days: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        as_dates = days.astype("datetime64[D]")
        months = as_dates.astype("datetime64[M]")
        month_days = (
            (months.astype(np.int64) % 12 + 1) * 100 + (as_dates - months).astype(np.int64) + 1
        )
        holiday = np.isin(days, self.one_off) | np.isin(month_days, self.recurring)
        return ~holiday

    def windows(self, day: int) -> list[tuple[int, int]]:
        return self.by_weekday[_weekday(day)]


def _day_number(day: date) -> int:
    return (day - _EPOCH_DAY).days


def _weekday(day_number: int) -> int:
    return (day_number + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday


class WorkClock:
    """W(t): working milliseconds since an origin, monotone; normalHours: W(t) = t.

    For a business calendar the origin is the start of the first local day the clock ever
    covered, and W is negative before it; values of one clock are comparable with each other
    whatever was asked in between, because the table only grows at its ends.
    """

    def __init__(self, spec: CalendarSpec | None) -> None:
        self._zone = ZoneInfo(spec.time_zone) if spec is not None else _UTC
        self._rules = _DayRules(spec) if spec is not None else None
        self._windows: _Windows | None = None

    @classmethod
    def for_calendar(cls, spec: CalendarSpec | None) -> WorkClock:
        """A clock for `spec`; None means normalHours (every instant counts, zone UTC)."""
        return cls(spec)

    @property
    def time_zone(self) -> ZoneInfo:
        return self._zone

    def cumulative(self, instants_ms: npt.ArrayLike) -> Instants:
        """W at each instant (int64 in, int64 out, same shape)."""
        instants = np.asarray(instants_ms, dtype=np.int64)
        if self._rules is None:
            return instants.copy()
        if instants.size == 0:
            return np.zeros(instants.shape, dtype=np.int64)
        windows = self._cover(int(instants.min()), int(instants.max()))
        index = windows.locate(instants)
        inside = np.clip(
            instants - windows.starts[index], 0, windows.ends[index] - windows.starts[index]
        )
        result: Instants = windows.before[index] + inside
        return result

    def between(self, start_ms: npt.ArrayLike, end_ms: npt.ArrayLike) -> Instants:
        """Working time from each start to its end: W(end) - W(start), for end >= start."""
        starts = np.asarray(start_ms, dtype=np.int64)
        ends = np.asarray(end_ms, dtype=np.int64)
        if self._rules is not None and starts.size and ends.size:
            # Grow the table once for both ends rather than once per call below.
            self._cover(int(min(starts.min(), ends.min())), int(max(starts.max(), ends.max())))
        result: Instants = self.cumulative(ends) - self.cumulative(starts)
        return result

    def _cover(self, low_ms: int, high_ms: int) -> _Windows:
        """The window table, grown (in whole local years) until it covers [low_ms, high_ms]."""
        windows = self._windows
        if windows is not None and windows.covered_from <= low_ms and high_ms < windows.covered_to:
            return windows
        first = date(self._local_date(low_ms).year - _EXTRA_YEARS, 1, 1)
        end = date(self._local_date(high_ms).year + 1 + _EXTRA_YEARS, 1, 1)
        if windows is None:
            windows = self._build(first, end, origin_before=0, backwards=False)
        else:
            if first < windows.first_day:
                windows = _join(
                    self._build(first, windows.first_day, windows.before[0], backwards=True),
                    windows,
                )
            if end > windows.end_day:
                total = int(windows.before[-1] + windows.ends[-1] - windows.starts[-1])
                windows = _join(windows, self._build(windows.end_day, end, total, False))
        self._windows = windows
        return windows

    def _local_date(self, instant_ms: int) -> date:
        try:
            day = local_date(self._zone, instant_ms)
        except OverflowError:
            day = None
        if day is None or not _FIRST_YEAR <= day.year <= _LAST_YEAR:
            raise ValueError(
                f"instant {instant_ms} ms is outside the years {_FIRST_YEAR}-{_LAST_YEAR}"
            )
        return day

    def _build(self, first: date, end: date, origin_before: int, backwards: bool) -> _Windows:
        """Windows of the days [first, end); W continues from (or leads up to) `origin_before`.

        Days whose UTC offset is the same from the day before to the day after are laid out
        by array arithmetic (midnight instant + window); the few days near an offset change
        go through the exact wall-time conversion one window at a time. Offsets are sampled
        once per day, which is exact unless a zone changes its offset and back again within a
        single day.
        """
        assert self._rules is not None
        zone = self._zone
        days = np.arange(_day_number(first), _day_number(end) + 1, dtype=np.int64)
        # Local midnight lies within 14 hours of UTC midnight: samples at the UTC midnights
        # of the day before and the two after bracket every instant of a day. A day is steady
        # when all four agree.
        samples = np.array(
            offsets_at_ms(
                zone, ((days[0] - 1) * _DAY_MS + np.arange(days.size + 3) * _DAY_MS).tolist()
            ),
            dtype=np.int64,
        )
        steady = (samples[:-3] == samples[1:-2]) & (samples[1:-2] == samples[2:-1])
        steady &= samples[2:-1] == samples[3:]
        midnights = days * _DAY_MS - samples[1:-2]
        irregular = np.flatnonzero(~steady)
        midnights[irregular] = [
            wall_to_instant_ms(zone, _EPOCH_DAY + timedelta(days=int(days[i]))) for i in irregular
        ]
        day_numbers, day_starts = days[:-1], midnights[:-1]
        working = self._rules.is_working_day(day_numbers)
        weekdays = (day_numbers + 3) % 7
        starts = [midnights[:1]]
        ends = [midnights[:1]]
        for weekday, windows in enumerate(self._rules.by_weekday):
            chosen = day_starts[working & steady[:-1] & (weekdays == weekday)]
            for start, stop in windows:
                starts.append(chosen + start)
                ends.append(chosen + stop)
        for i in irregular[irregular < day_numbers.size]:
            if not working[i]:
                continue
            day = _EPOCH_DAY + timedelta(days=int(day_numbers[i]))
            for start, stop in self._rules.windows(int(day_numbers[i])):
                starts.append(np.array([wall_to_instant_ms(zone, day, start)], dtype=np.int64))
                ends.append(np.array([wall_to_instant_ms(zone, day, stop)], dtype=np.int64))
        start_array = np.concatenate(starts)
        end_array = np.concatenate(ends)
        order = np.lexsort((end_array, start_array))
        start_array, end_array = start_array[order], end_array[order]
        lengths = end_array - start_array
        before = np.concatenate([[0], np.cumsum(lengths[:-1])]).astype(np.int64)
        before += origin_before - int(lengths.sum()) if backwards else origin_before
        return _Windows(
            covered_from=int(midnights[0]),
            covered_to=int(midnights[-1]),
            first_day=first,
            end_day=end,
            starts=start_array,
            ends=end_array,
            before=before,
        )


def _join(earlier: _Windows, later: _Windows) -> _Windows:
    return _Windows(
        covered_from=earlier.covered_from,
        covered_to=later.covered_to,
        first_day=earlier.first_day,
        end_day=later.end_day,
        starts=np.concatenate([earlier.starts, later.starts]),
        ends=np.concatenate([earlier.ends, later.ends]),
        before=np.concatenate([earlier.before, later.before]),
    )
