"""An in-memory ParamContext: calendars, saved filters and parameter sets for the tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dwelltime.domain.calendars import CalendarSpec, WorkingTime
from dwelltime.domain.issues import SavedFilter

NINE_TO_FIVE = tuple(WorkingTime(day, 9 * 3_600_000, 17 * 3_600_000) for day in range(5))
BERLIN = CalendarSpec("10776", "Berlin office", "Europe/Berlin", NINE_TO_FIVE)
# Friday is short: business days of unequal length.
SHORT_FRIDAY = CalendarSpec(
    "20",
    "Short Friday",
    "America/New_York",
    (*NINE_TO_FIVE[:4], WorkingTime(4, 9 * 3_600_000, 13 * 3_600_000)),
)
# Two shifts per day that add up to the same length every day.
SHIFTS = CalendarSpec(
    "30",
    "Shifts",
    "Asia/Tokyo",
    tuple(
        window
        for day in range(5)
        for window in (
            WorkingTime(day, 8 * 3_600_000, 12 * 3_600_000),
            WorkingTime(day, 13 * 3_600_000, 17 * 3_600_000),
        )
    ),
)


@dataclass
class FakeContext:
    calendars: dict[str, CalendarSpec] = field(
        default_factory=lambda: {spec.id: spec for spec in (BERLIN, SHORT_FRIDAY, SHIFTS)}
    )
    filters: dict[str, SavedFilter] = field(
        default_factory=lambda: {
            "10": SavedFilter("10", "Mine", "project = ABC AND status != Done"),
            "11": SavedFilter("11", "Old", "status WAS Done"),
        }
    )
    param_sets: dict[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    checks_jql: bool = True

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return self.calendars.get(calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        return self.filters.get(filter_id)

    def param_set(self, param_set_id: str) -> Mapping[str, Sequence[str]] | None:
        return self.param_sets.get(param_set_id)
