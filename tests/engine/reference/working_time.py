"""A slow, obviously-correct model of working time: one local day at a time, plain datetime.

It shares nothing with dwelltime.engine.timeline.work_clock but the CalendarSpec it reads, so the
property tests that compare the two check the engine's arithmetic, not a copy of it. The
engine's report reference model can call `reference_working_ms` for each visit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dwelltime.domain.calendars import CalendarSpec

_MINUTE = timedelta(minutes=1)


def _to_ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _exists(naive: datetime, zone: ZoneInfo) -> datetime | None:
    """The first aware datetime showing `naive` on the local clock, if the clock ever shows it."""
    for fold in (0, 1):
        aware = naive.replace(tzinfo=zone, fold=fold)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
            return aware
    return None


def reference_instant_ms(zone: ZoneInfo, day: date, ms_after_midnight: int) -> int:
    """The first instant at which the local clock shows this wall time or later.

    A wall time inside a DST gap is walked back minute by minute to the last one that exists;
    the gap starts one minute later, which is the instant the clock jumps (the zones tested
    change their offsets on whole minutes).
    """
    naive = datetime(day.year, day.month, day.day) + timedelta(milliseconds=ms_after_midnight)
    aware = _exists(naive, zone)
    if aware is not None:
        return _to_ms(aware)
    earlier = naive.replace(second=0, microsecond=0)
    while (aware := _exists(earlier, zone)) is None:
        earlier -= _MINUTE
    return _to_ms(aware) + 60_000


def _is_holiday(spec: CalendarSpec, day: date) -> bool:
    for holiday in spec.holidays:
        if holiday.date == day:
            return True
        if holiday.recurring and (holiday.date.month, holiday.date.day) == (day.month, day.day):
            return True
    return False


def reference_working_ms(spec: CalendarSpec | None, start_ms: int, end_ms: int) -> int:
    """Working milliseconds in [start_ms, end_ms) on `spec` (None = normalHours)."""
    if spec is None:
        return end_ms - start_ms
    zone = ZoneInfo(spec.time_zone)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    day = (epoch + timedelta(milliseconds=start_ms)).astimezone(zone).date() - timedelta(days=1)
    last = (epoch + timedelta(milliseconds=end_ms)).astimezone(zone).date() + timedelta(days=1)
    total = 0
    while day <= last:
        if not _is_holiday(spec, day):
            for window in spec.working_times:
                if window.weekday != day.weekday():
                    continue
                opens = reference_instant_ms(zone, day, window.start_ms)
                closes = reference_instant_ms(zone, day, window.end_ms)
                total += max(0, min(end_ms, closes) - max(start_ms, opens))
        day += timedelta(days=1)
    return total
