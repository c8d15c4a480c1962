"""Local calendar periods (day, ISO week, month, quarter, year) as UTC boundaries and labels,
and the vectorized split of visits at those boundaries for the time-period reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from dwelltime.domain.local_time import local_date, wall_to_instant_ms
from dwelltime.params.model import TimePeriod

Instants = npt.NDArray[np.int64]


def _month_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _week_label(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# Per period: the first day of the period holding a date, the first day of the next period,
# and the label of the period that starts on a date.
_RULES: dict[
    TimePeriod, tuple[Callable[[date], date], Callable[[date], date], Callable[[date], str]]
] = {
    TimePeriod.DAY: (lambda d: d, lambda d: d + timedelta(days=1), date.isoformat),
    TimePeriod.WEEK: (
        lambda d: d - timedelta(days=d.weekday()),
        lambda d: d + timedelta(days=7),
        _week_label,
    ),
    TimePeriod.MONTH: (
        lambda d: d.replace(day=1),
        lambda d: _month_after(d, 1),
        lambda d: f"{d.year}-{d.month:02d}",
    ),
    TimePeriod.QUARTER: (
        lambda d: date(d.year, (d.month - 1) // 3 * 3 + 1, 1),
        lambda d: _month_after(d, 3),
        lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    ),
    TimePeriod.YEAR: (
        lambda d: date(d.year, 1, 1),
        lambda d: date(d.year + 1, 1, 1),
        lambda d: f"{d.year}",
    ),
}


def period_bounds(
    time_zone: ZoneInfo, period: TimePeriod, start_ms: int, end_ms: int
) -> tuple[Instants, list[str]]:
    """Boundaries (UTC ms, ascending) and labels of the local periods holding [start_ms, end_ms].

    k labels and k + 1 boundaries: period i is [bounds[i], bounds[i + 1]). bounds[0] <=
    start_ms and bounds[-1] > end_ms, so every instant of the closed range, `end_ms` included,
    falls in a period (a zero-length visit at `end_ms` has one). A period starts at the first
    instant its first local day exists (local_time.wall_to_instant_ms), so a DST change moves
    the boundary with the wall clock. Labels: day `2026-11-29`, week `2026-W48` (ISO 8601:
    weeks start on Monday and belong to the year of their Thursday), month `2026-11`, quarter
    `2026-Q4`, year `2026`.
    """
    if end_ms < start_ms:
        raise ValueError(f"period range ends ({end_ms}) before it starts ({start_ms})")
    first_day, next_day, label = _RULES[period]
    day = first_day(local_date(time_zone, start_ms))
    bounds = [wall_to_instant_ms(time_zone, day)]
    labels: list[str] = []
    while bounds[-1] <= end_ms:
        labels.append(label(day))
        day = next_day(day)
        bounds.append(wall_to_instant_ms(time_zone, day))
    return np.array(bounds, dtype=np.int64), labels


def period_index(bounds: Instants, instants_ms: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Index of the period of `bounds` that holds each instant (bounds[i] <= t < bounds[i+1])."""
    return np.searchsorted(bounds, np.asarray(instants_ms, dtype=np.int64), side="right") - 1


@dataclass(frozen=True, slots=True)
class PeriodPieces:
    """Visits cut at period boundaries: piece j is visit `visit[j]` inside period `period[j]`,
    from `start_ms[j]` to `end_ms[j]`. Pieces of one visit are consecutive and in time order."""

    visit: npt.NDArray[np.intp]
    period: npt.NDArray[np.intp]
    start_ms: Instants
    end_ms: Instants


def split_at_bounds(bounds: Instants, entered_ms: Instants, left_ms: Instants) -> PeriodPieces:
    """Cut each visit [entered, left) at the boundaries, with array operations only.

    A visit gives one piece per period it overlaps; a zero-length visit gives one zero-length
    piece in the period holding its instant, so that "visited for 0 ms" stays visible. Every
    instant must lie in [bounds[0], bounds[-1]) (period_bounds over the visits' range does).
    The working time of each piece is then `clock.between(pieces.start_ms, pieces.end_ms)`,
    and the pieces of a visit add up to the visit's working time (W is additive).
    """
    first = period_index(bounds, entered_ms)
    # The last period reached holds the instant just before `left`.
    last = np.maximum(first, np.searchsorted(bounds, left_ms, side="left") - 1)
    counts = last - first + 1
    visit = np.repeat(np.arange(first.size), counts)
    step = np.arange(visit.size) - np.repeat(np.cumsum(counts) - counts, counts)
    period = first[visit] + step
    return PeriodPieces(
        visit=visit,
        period=period,
        start_ms=np.maximum(entered_ms[visit], bounds[period]),
        end_ms=np.minimum(left_ms[visit], bounds[period + 1]),
    )
