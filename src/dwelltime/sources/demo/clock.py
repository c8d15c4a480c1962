"""Working-hours clocks for the demo: when a person in a time zone reaches a point after
a given amount of their working time (DST and public holidays included).

A clock precomputes its working windows once, as UTC instants with the cumulative
working time before each, so advancing by a dwell is two binary searches rather than a
day-by-day walk: the generator does this for every transition of 100,000 issues.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

#: Days nobody in the demo works (month, day), whatever the time zone.
DEMO_HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(12, 25), (12, 26), (1, 1)})


class WorkingClock:
    """One person's working windows (Mon–Fri, `start_hour` for `hours` hours, local time)
    around [`first_ms`, `last_ms`]; cumulative working time W(t) and its inverse.

    Exact for instants in that range; beyond its last window time runs as wall-clock
    time, which only ever answers "later than `last_ms`"."""

    __slots__ = ("_cumulative", "_ends", "_starts", "_total")

    def __init__(self, zone: str, start_hour: int, hours: int, first_ms: int, last_ms: int) -> None:
        tz = ZoneInfo(zone)
        day = datetime.fromtimestamp(first_ms / 1000, tz).date() - timedelta(days=1)
        # A week past `last_ms` so that a window always follows any instant up to it.
        last_day = datetime.fromtimestamp(last_ms / 1000, tz).date() + timedelta(days=7)
        starts: list[int] = []
        ends: list[int] = []
        cumulative: list[int] = []
        total = 0
        while day <= last_day:
            if day.weekday() < 5 and (day.month, day.day) not in DEMO_HOLIDAYS:
                start = _local_ms(day, start_hour, tz)
                end = _local_ms(day, start_hour + hours, tz)
                starts.append(start)
                ends.append(end)
                cumulative.append(total)
                total += end - start
            day += timedelta(days=1)
        self._starts = starts
        self._ends = ends
        self._cumulative = cumulative
        self._total = total

    def working_before(self, instant_ms: int) -> int:
        """W(t): working milliseconds from the clock's origin up to `instant_ms`."""
        i = bisect_right(self._starts, instant_ms) - 1
        if i < 0:
            return 0
        return self._cumulative[i] + min(instant_ms, self._ends[i]) - self._starts[i]

    def instant_at(self, working_ms: int) -> int:
        """The first instant at which W reaches `working_ms` (a window start when it falls
        on a window boundary); past the last window, time runs on as wall-clock time."""
        if working_ms >= self._total:
            return self._ends[-1] + working_ms - self._total
        j = bisect_right(self._cumulative, working_ms) - 1
        return self._starts[j] + working_ms - self._cumulative[j]

    def after(self, instant_ms: int, working_ms: int) -> int:
        """The instant reached after `working_ms` (> 0) of working time from `instant_ms`
        (at most `last_ms`); always later than `instant_ms`."""
        return self.instant_at(self.working_before(instant_ms) + working_ms)

    def random_point(self, first_ms: int, last_ms: int, fraction: float) -> int:
        """The instant `fraction` of the way through the working time in [first, last);
        the first working instant after `first` when that range holds no working time."""
        low = self.working_before(first_ms)
        high = self.working_before(last_ms)
        return self.instant_at(low + int((high - low) * fraction))


def _local_ms(day: date, hour: int, tz: ZoneInfo) -> int:
    # Wall-clock hours, so a window keeps its local times across DST changes.
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=tz).timestamp() * 1000)
