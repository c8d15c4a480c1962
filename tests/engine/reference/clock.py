"""The reference model's clock: instants, working time, day lengths and time periods.

Working time and wall clock → instant come from `calendar_reference` (one local day at a
time); here periods are cut the same naive way, one period after the other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.params.model import TimePeriod
from tests.engine.reference.working_time import reference_instant_ms, reference_working_ms

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR_MS = 3_600_000


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int, zone: str) -> datetime:
    """An instant as an aware datetime in `zone`, exact to the millisecond."""
    return (EPOCH + timedelta(milliseconds=ms)).astimezone(ZoneInfo(zone))


def report_zone(calendar: CalendarSpec | None) -> str:
    """The zone dates and periods are read in: the calendar's, UTC for normalHours."""
    return calendar.time_zone if calendar is not None else "UTC"


def business_day_ms(calendar: CalendarSpec) -> int:
    """Daily working time of a calendar whose working days are equally long."""
    per_weekday: dict[int, int] = {}
    for window in calendar.working_times:
        per_weekday[window.weekday] = (
            per_weekday.get(window.weekday, 0) + window.end_ms - window.start_ms
        )
    return max(per_weekday.values())


def _period_start(day: date, period: TimePeriod) -> date:
    if period is TimePeriod.DAY:
        return day
    if period is TimePeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is TimePeriod.MONTH:
        return day.replace(day=1)
    if period is TimePeriod.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _next_period_start(start: date, period: TimePeriod) -> date:
    if period is TimePeriod.DAY:
        return start + timedelta(days=1)
    if period is TimePeriod.WEEK:
        return start + timedelta(days=7)
    months = {TimePeriod.MONTH: 1, TimePeriod.QUARTER: 3, TimePeriod.YEAR: 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, period: TimePeriod) -> str:
    """`2026-11-29`, `2026-W48`, `2026-11`, `2026-Q4` or `2026`."""
    if period is TimePeriod.DAY:
        return start.isoformat()
    if period is TimePeriod.WEEK:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period is TimePeriod.MONTH:
        return f"{start.year}-{start.month:02d}"
    if period is TimePeriod.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def period_pieces(
    start: int, stop: int, period: TimePeriod, zone: str
) -> list[tuple[date, int, int]]:
    """[start, stop) cut at local period boundaries: (period start date, from, to) pieces.

    A zero-length interval is one zero-length piece in the period holding its instant.
    """
    current = _period_start(from_ms(start, zone).date(), period)
    pieces: list[tuple[date, int, int]] = []
    cursor = start
    while True:
        following = _next_period_start(current, period)
        boundary = reference_instant_ms(ZoneInfo(zone), following, 0)
        pieces.append((current, cursor, min(stop, boundary)))
        if stop <= boundary:
            return pieces
        current, cursor = following, boundary


def working_ms(calendar: CalendarSpec | None, start: int, stop: int) -> int:
    """Calendar time in [start, stop) (0 when stop is not after start)."""
    return reference_working_ms(calendar, start, stop) if stop > start else 0
