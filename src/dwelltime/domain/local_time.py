"""Exact conversions between local wall-clock times of an IANA zone and epoch milliseconds.

Calendars and time periods are defined in wall-clock terms ("09:00 on Monday", "the month of
March"); these two functions are the only place where wall time meets instants, so DST gaps,
repeated hours and skipped days are treated one way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WALL_EPOCH = datetime(1970, 1, 1)
_DAY_MS = 86_400_000


def _wall_ms(naive: datetime) -> int:
    """Milliseconds of a naive wall time after 1970-01-01 00:00 (exact integer arithmetic)."""
    delta = naive - _WALL_EPOCH
    return delta.days * _DAY_MS + delta.seconds * 1000 + delta.microseconds // 1000


def _offset_ms_of(offset: timedelta | None) -> int:
    assert offset is not None  # a ZoneInfo always has an offset
    return offset // timedelta(milliseconds=1)


def _offset_ms(zone: ZoneInfo, instant_ms: int) -> int:
    return _offset_ms_of(
        (_UTC_EPOCH + timedelta(milliseconds=instant_ms)).astimezone(zone).utcoffset()
    )


def offsets_at_ms(zone: ZoneInfo, instants_ms: Iterable[int]) -> list[int]:
    """The UTC offset of `zone` (ms) at each instant; one C-level zone lookup each."""
    return [
        _offset_ms_of(datetime.fromtimestamp(ms // 1000, zone).utcoffset()) for ms in instants_ms
    ]


def local_date(zone: ZoneInfo, instant_ms: int) -> date:
    """The date the local clock of `zone` shows at `instant_ms`."""
    return (_UTC_EPOCH + timedelta(milliseconds=instant_ms)).astimezone(zone).date()


def wall_to_instant_ms(zone: ZoneInfo, day: date, ms_after_midnight: int = 0) -> int:
    """The first instant at which the clock of `zone` shows `day` + `ms_after_midnight` or later.

    This equals Python's fold=0 reading for ordinary and for repeated (fall-back) wall times:
    the first occurrence. A wall time that does not exist (inside a spring-forward gap, or a
    skipped day such as Pacific/Apia's 2011-12-30) maps to the end of the gap, the transition
    instant itself. The map is therefore monotone in the wall time, which keeps the windows of
    a day disjoint and in order; fold=0's own reading of a gap time (shifted forward by the
    gap) is not monotone. `ms_after_midnight` may be 86,400,000: the next day's midnight.
    """
    naive = datetime(day.year, day.month, day.day) + timedelta(milliseconds=ms_after_midnight)
    wall = _wall_ms(naive)
    late = wall - _offset_ms_of(naive.replace(tzinfo=zone).utcoffset())
    if late + _offset_ms(zone, late) == wall:
        return late
    # A gap: the clock jumps over `wall` somewhere in (early, late]; find the jump exactly.
    early = wall - _offset_ms_of(naive.replace(tzinfo=zone, fold=1).utcoffset())
    low, high = min(early, late), max(early, late)
    while high - low > 1:
        middle = (low + high) // 2
        if middle + _offset_ms(zone, middle) >= wall:
            high = middle
        else:
            low = middle
    return high
