"""The Executor protocol the scheduler drives."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Finished:
    """A job that ended: `exit_code` 0 is a normal end, negative is the killing signal."""

    export_id: str
    exit_code: int | None


def unit_key(export_id: str, idx: int) -> str:
    """The id a unit of a split export runs under (in `active()`, as a task id)."""
    return f"{export_id}:{idx}"


class Executor(Protocol):
    """Runs exports by id; knows which it is running and which have ended."""

    def free_slots(self) -> int:
        """How many more exports may start now."""
        ...

    def submit(self, export_id: str) -> None:
        """Start running `export_id` (the runner claims it; a non-Queued id is a no-op)."""
        ...

    def submit_unit(self, export_id: str, idx: int) -> None:
        """Start unit `idx` of a split export; known afterwards as `unit_key(export_id, idx)`."""
        ...

    def active(self) -> Set[str]:
        """Ids submitted and not yet reaped."""
        ...

    def reap(self) -> list[Finished]:
        """Jobs that ended since the last call."""
        ...

    def waiting(self, key: str) -> bool:
        """True if job `key` runs in a process this executor started that is alive and
        waiting to run (starved of CPU, stopped) or, for no longer than a lock wait can
        last, waiting on one that is, so its silent heartbeat is not death: serve beats
        for it. False where the executor cannot tell (then its silence decides)."""
        ...

    def cancel(self, export_id: str) -> bool:
        """Stop a job at once (it ignored a cooperative abort); False if not running here."""
        ...

    def shutdown(self) -> list[str]:
        """Stop every job; returns the ids that were still running."""
        ...
