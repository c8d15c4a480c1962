"""A recording Executor for scheduler tests: it claims exports like a worker would, no work."""

from __future__ import annotations

from collections.abc import Set

from dwelltime.exports.executors.base import Finished, unit_key
from dwelltime.exports.records import ExportStore, now_ms
from dwelltime.exports.status import ExportStatus


class RecordingExecutor:
    """Remembers what was submitted; tests decide which jobs end and how."""

    def __init__(self, store: ExportStore, slots: int) -> None:
        self.store = store
        self.slots = slots
        self.submitted: list[str] = []
        self.running: set[str] = set()
        self.ended: list[Finished] = []
        self.cancelled: list[str] = []
        #: Running jobs whose process waits to run (starved or stopped), not hung.
        self.starved: set[str] = set()

    def free_slots(self) -> int:
        return self.slots - len(self.running)

    def submit(self, export_id: str) -> None:
        self.submitted.append(export_id)
        self.running.add(export_id)
        record = self.store.get(export_id)
        assert record is not None
        self.store.move(
            export_id,
            ExportStatus.QUEUED,
            ExportStatus.RUNNING,
            attempts=record.attempts + 1,
            heartbeat_ms=now_ms(),
        )

    def submit_unit(self, export_id: str, idx: int) -> None:
        self.submitted.append(unit_key(export_id, idx))
        self.running.add(unit_key(export_id, idx))

    def end(self, export_id: str, exit_code: int) -> None:
        self.running.discard(export_id)
        self.ended.append(Finished(export_id, exit_code))

    def active(self) -> Set[str]:
        return frozenset(self.running)

    def reap(self) -> list[Finished]:
        ended, self.ended = self.ended, []
        return ended

    def waiting(self, key: str) -> bool:
        return key in self.running and key in self.starved

    def cancel(self, export_id: str) -> bool:
        self.cancelled.append(export_id)
        self.end(export_id, -15)
        return True

    def shutdown(self) -> list[str]:
        running = sorted(self.running)
        self.running.clear()
        return running
