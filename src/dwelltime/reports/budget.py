"""The time budget of a synchronous call (SPEC §8.1): the pipeline asks between batches
whether to go on, so the work stops with the answer instead of running on unseen."""

from __future__ import annotations

import time

from dwelltime.errors import DwelltimeError


class ReportTimeout(DwelltimeError):
    """A synchronous report outgrew its time budget; an export is the way to get it."""


class Deadline:
    """A pipeline `Progress` that asks to stop once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self.total = 0
        self.completed = 0

    def started(self, total: int) -> None:
        self.total = total

    def advanced(self, completed: int) -> None:
        self.completed = completed

    def should_stop(self) -> bool:
        return time.monotonic() >= self._ends

    def timeout(self) -> ReportTimeout:
        return ReportTimeout(
            f"The report did not finish within {self.seconds:g} s; "
            "start it with POST /rest/export and download the file when it is ready.",
            [f"Stopped after {self.completed:,} of {self.total:,} issues; the work was cancelled."],
        )
