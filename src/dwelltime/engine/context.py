"""What a report needs besides its parameters and its issues: the status catalog, the
calendar and the fixed `now`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Status


@dataclass(frozen=True)
class ReportContext:
    """The world a report is computed in; `calendar` None means normalHours (7 × 24)."""

    statuses: Sequence[Status]
    calendar: CalendarSpec | None
    now_ms: int
