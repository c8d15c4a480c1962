"""The Parameters sheet's pairs: the parameters as given, `now` and the calendar."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec


def iso_instant(ms: int, zone: ZoneInfo | None = None) -> str:
    """`2026-11-29T18:00:00.000Z` in UTC, with the offset in another zone."""
    moment = datetime.fromtimestamp(ms // 1000, tz=zone or UTC).replace(
        microsecond=(ms % 1000) * 1000
    )
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if zone is None else text


def parameter_pairs(
    raw: Mapping[str, str], calendar: CalendarSpec | None, now_ms: int
) -> list[tuple[str, str]]:
    pairs = [(name, value) for name, value in raw.items() if name not in ("now", "calendar")]
    pairs.append(("now", iso_instant(now_ms)))
    if calendar is None:
        pairs.append(("calendar", NORMAL_HOURS_ID))
        return pairs
    pairs.append((f"now ({calendar.time_zone})", iso_instant(now_ms, ZoneInfo(calendar.time_zone))))
    pairs.append(("calendar", f"{calendar.name} (id {calendar.id}, {calendar.time_zone})"))
    return pairs
