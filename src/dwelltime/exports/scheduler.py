"""The scheduler: starts Queued exports fairly, notices dead workers, sweeps old exports.

`tick()` does one round and is what tests call; `run()` repeats it in serve's background
thread, woken at once when an export is queued or aborted.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Set

import structlog

from dwelltime.config import Settings
from dwelltime.exports.executors.base import Executor, unit_key
from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.recovery import recover, recover_unit, stale_running, stale_units
from dwelltime.exports.retention import sweep
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage
from dwelltime.exports.units import Unit, UnitKind, UnitStatus, UnitStore

#: The loop runs at least this often even when nothing wakes it (dead workers, staleness).
TICK_SECONDS = 0.5
#: Retention is swept this often.
SWEEP_SECONDS = 300.0

logger = structlog.get_logger("dwelltime.exports")


class Scheduler:
    """Decides which export runs next and keeps Running honest."""

    def __init__(
        self, store: ExportStore, storage: FileStorage, executor: Executor, settings: Settings
    ) -> None:
        self.store = store
        self.storage = storage
        self.executor = executor
        self.settings = settings
        self.units = UnitStore(store.engine)
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._last_start_by_owner: dict[str, float] = {}
        self._next_sweep = 0.0

    def wake(self) -> None:
        """Ask for a round now (an export was queued or a slot may have freed)."""
        self._wake.set()

    def tick(self) -> None:
        """One round: reap ended workers, beat for starved ones, recover stale ones, start
        what may start."""
        with self._lock:
            self._reap()
            self._forget_finished_units()
            self._vouch_for_waiting()
            self._recover_stale()
            with self.store.dispatch_turn() as turn:
                while turn and self._dispatch():
                    pass  # again: a unit that ended (inline) may have made the merge ready
            if time.monotonic() >= self._next_sweep:
                self._next_sweep = time.monotonic() + SWEEP_SECONDS
                sweep(self.store, self.storage, self.settings.retention)

    def run(self, stop: threading.Event) -> None:
        """Tick until `stop` is set; an error in one round is logged and the loop goes on."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("scheduler_round_failed")
            self._wake.wait(TICK_SECONDS)
            self._wake.clear()

    def cancel(self, export_id: str) -> bool:
        """Kill the worker of an export that did not stop cooperatively."""
        with self._lock:
            return self.executor.cancel(export_id)

    def shutdown(self) -> None:
        """Stop every worker and put their exports back in the queue for the next start."""
        with self._lock:
            for export_id in self.executor.shutdown():
                record = self.store.get(export_id)
                if record is not None and record.status is ExportStatus.RUNNING:
                    # Not the export's fault: the retry budget is given back.
                    self.store.move(
                        export_id,
                        ExportStatus.RUNNING,
                        ExportStatus.QUEUED,
                        attempts=max(record.attempts - 1, 0),
                        heartbeat_ms=None,
                        dispatched_ms=None,
                    )
                    self.storage.discard_pending(export_id)

    def _reap(self) -> None:
        for finished in self.executor.reap():
            record = self.store.get(finished.export_id)
            if record is not None and record.status is ExportStatus.RUNNING:
                reason = (
                    "The worker process running the export stopped unexpectedly "
                    f"(exit code {finished.exit_code})"
                )
                recover(self.store, self.storage, record, reason)

    def _vouch_for_waiting(self) -> None:
        """Beat for this server's own workers that missed a beat but are alive and waiting
        to run (a SCHED_IDLE job starved on a busy host, a stopped process): their silence
        is not death, and every server sharing the database sees the fresh heartbeat. A
        worker that exited is reaped at once; one silent while nothing of the pool waits
        to run and no other connection holds the store's write lock, or asleep with no
        CPU used for longer than a lock wait lasts, is hung, and
        is stopped and recovered by `_recover_stale` as before (executors/liveness.py)."""
        active = self.executor.active()
        if not active:
            return
        late_after = self.settings.late_after_seconds
        for record in stale_running(self.store, late_after):
            if record.id in active and self.executor.waiting(record.id):
                self.store.update_running(record.id, heartbeat_ms=now_ms())
                logger.info("heartbeat_vouched", export_id=record.id)
        late_units, _ = stale_units(self.units, late_after)
        for unit in late_units:
            key = unit_key(unit.export_id, unit.idx)
            if unit.token is not None and key in active and self.executor.waiting(key):
                self.units.beat(unit.export_id, unit.idx, unit.token)
                logger.info("heartbeat_vouched", export_id=unit.export_id, unit=unit.idx)

    def _recover_stale(self) -> None:
        for record in stale_running(self.store, self.settings.stale_after_seconds):
            if record.id in self.executor.active():
                self.executor.cancel(record.id)  # alive but hung: silent, not waiting to run
            recover(
                self.store, self.storage, record, "The export's worker stopped sending heartbeats"
            )
        silent, cutoff = stale_units(self.units, self.settings.stale_after_seconds)
        for unit in silent:
            key = unit_key(unit.export_id, unit.idx)
            if key in self.executor.active():
                self.executor.cancel(key)
            split = self.store.get(unit.export_id)
            if split is not None and split.status is ExportStatus.RUNNING:
                recover_unit(self.store, self.units, split, unit, cutoff)

    def _forget_finished_units(self) -> None:
        """Drop the units and parts of split exports that ended (any way) a while ago: the
        merge records its own end just after the export's, and must find its unit."""
        settled = self._resend_before()
        for export_id in self.units.exports_with_units():
            record = self.store.get(export_id)
            if record is None or (
                record.status.is_finished and (record.finished_ms or 0) < settled
            ):
                self.storage.delete_parts(export_id)
                self.units.forget(export_id)

    def _resend_before(self) -> int:
        """A job sent before this instant and still Queued is sent again (a lost message)."""
        return now_ms() - int(self.settings.stale_after_seconds * 1000)

    def _recently_dispatched(self, dispatched_ms: int | None) -> bool:
        """Sent to the executor so recently that it may still be on its way to a worker."""
        return dispatched_ms is not None and dispatched_ms >= self._resend_before()

    def _dispatch(self) -> bool:
        """Start what may start; True if anything was started."""
        free = self.executor.free_slots()
        if free <= 0:
            return False
        active = self.executor.active()
        running: Counter[str] = Counter(
            record.owner
            for record in self.store.with_status(ExportStatus.RUNNING)
            if record.id not in active
        )
        waiting: dict[str, list[ExportRecord]] = defaultdict(list)
        for record in self.store.with_status(ExportStatus.QUEUED):
            if record.id not in active and not self._recently_dispatched(record.dispatched_ms):
                waiting[record.owner].append(record)
        for export_id in active:
            owner = self._owner_of(export_id)
            if owner is not None:
                running[owner] += 1
        exports = self._fair_order(waiting, running)
        units = self._ready_units(active)
        # Alternate: a split export's chunks share the free slots with other exports
        # instead of holding every worker until they are all done.
        # Marked before sending, by compare-and-set: of several API servers only one sends;
        # a send that fails leaves the mark, and the job is sent again after the window.
        resend_before = self._resend_before()
        started = False
        for job in _alternate(exports, units)[:free]:
            if isinstance(job, ExportRecord):
                if not self.store.mark_dispatched(job.id, resend_before):
                    continue
                self._last_start_by_owner[job.owner] = time.monotonic()
                logger.info("export_dispatched", export_id=job.id, owner=job.owner)
                self.executor.submit(job.id)
            else:
                if not self.units.mark_dispatched(job.export_id, job.idx, resend_before):
                    continue
                logger.info("unit_dispatched", export_id=job.export_id, unit=job.idx)
                self.executor.submit_unit(job.export_id, job.idx)
            started = True
        return started

    def _ready_units(self, active: Set[str]) -> list[Unit]:
        """Queued units not already on their way; a merge only once its chunks are done."""
        ready = []
        for unit in self.units.with_status(UnitStatus.QUEUED):
            if unit_key(unit.export_id, unit.idx) in active or self._recently_dispatched(
                unit.dispatched_ms
            ):
                continue
            if unit.kind is UnitKind.MERGE and any(
                other.kind is UnitKind.CHUNK and other.status is not UnitStatus.DONE
                for other in self.units.of_export(unit.export_id)
            ):
                continue
            ready.append(unit)
        return ready

    def _owner_of(self, export_id: str) -> str | None:
        record = self.store.get(export_id)
        return record.owner if record is not None else None

    def _fair_order(
        self, waiting: dict[str, list[ExportRecord]], running: Counter[str]
    ) -> list[ExportRecord]:
        """Round robin over users (least recently served first), oldest export first each.

        A user at max_running_per_user is skipped until one of theirs ends.
        """
        owners = sorted(
            waiting,
            key=lambda owner: (
                self._last_start_by_owner.get(owner, 0.0),
                waiting[owner][0].created_ms,
            ),
        )
        order: list[ExportRecord] = []
        cap = self.settings.max_running_per_user
        depth = 0
        while True:
            added = False
            for owner in owners:
                if depth < len(waiting[owner]) and running[owner] + depth < cap:
                    order.append(waiting[owner][depth])
                    added = True
            if not added:
                return order
            depth += 1


def _alternate(exports: list[ExportRecord], units: list[Unit]) -> list[ExportRecord | Unit]:
    """exports[0], units[0], exports[1], units[1], … and then the rest of the longer list."""
    order: list[ExportRecord | Unit] = []
    for index in range(max(len(exports), len(units))):
        order.extend(exports[index : index + 1])
        order.extend(units[index : index + 1])
    return order
