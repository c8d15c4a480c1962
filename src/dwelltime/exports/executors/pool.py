"""ProcessPool: each export in its own worker process, at most `workers` at once.

One process per job (forked from a preloaded forkserver, so starting is cheap) isolates
jobs: a worker killed with -9 takes down only its own export, and its exit code tells the
scheduler at once (concurrent.futures would break the whole pool instead).
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
from collections.abc import Set
from multiprocessing import forkserver
from multiprocessing.process import BaseProcess

from dwelltime.config import Settings
from dwelltime.exports.executors.base import Finished, unit_key
from dwelltime.exports.executors.liveness import Liveness, write_lock_held

#: Workers run this much nicer than serve: exports are batch work, and status polls must
#: not queue behind them for CPU (measured in bench/api_load.py).
WORKER_NICENESS = 10
#: How long a cancelled or shut-down worker gets to exit after SIGTERM before SIGKILL.
STOP_GRACE_SECONDS = 2.0


def _work(export_id: str, idx: int | None, settings: Settings) -> None:
    # Imported here so the forkserver preloads them once and every fork starts warm.
    from dwelltime.exports.fanout import run_unit
    from dwelltime.exports.logs import configure_logging
    from dwelltime.exports.runner import run_export

    yield_cpu(settings)
    configure_logging()
    idle = settings.worker_scheduling == "idle" and hasattr(os, "SCHED_IDLE")
    on_running = _idle_except if idle else None
    if idx is None:
        run_export(export_id, settings, on_running)
    else:
        run_unit(export_id, idx, settings, on_running)


def yield_cpu(settings: Settings) -> None:
    """Lower this worker's priority before any of its threads starts (they inherit it):
    nice 10, and under `batch` SCHED_BATCH too, which any user may set and leave again.
    `idle` comes later (`_idle_except`): its heartbeat thread must stay normal."""
    os.nice(WORKER_NICENESS)
    if settings.worker_scheduling == "batch" and hasattr(os, "SCHED_BATCH"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def _idle_except(heartbeat: int | None) -> None:
    """Every thread of this worker but the heartbeat's under SCHED_IDLE (threads started
    later inherit it): the job then runs only on CPU the API and everything else leave
    free, while its heartbeat keeps normal priority. That is not enough on a busy host: a
    starved job thread holding Python's GIL keeps the heartbeat from running too, so serve
    beats for a worker that waits to run (`ProcessPool.waiting`). Where the kernel
    refuses, nice 10 stays."""
    for task in os.listdir("/proc/self/task"):
        if int(task) != heartbeat:
            with contextlib.suppress(OSError):
                os.sched_setscheduler(int(task), os.SCHED_IDLE, os.sched_param(0))


def _warm_up() -> None:
    """Nothing: forking it proves the forkserver has finished preloading."""


class ProcessPool:
    """A bounded set of worker processes, one per running export."""

    def __init__(self, settings: Settings, size: int | None = None) -> None:
        self._settings = settings
        self._size = size or settings.workers
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(
            ["dwelltime.exports.runner", "dwelltime.exports.fanout"]
        )
        # Start the forkserver and wait for its preload (one empty fork), so the first export
        # does not pay seconds of imports after its POST.
        forkserver.ensure_running()
        warm_up = self._context.Process(target=_warm_up, name="export-warm-up")
        warm_up.start()
        warm_up.join()
        warm_up.close()
        self._processes: dict[str, BaseProcess] = {}
        # Serve looks at a silent worker about once per late interval (each vouched
        # heartbeat makes it late again after one): looks further apart are two silences.
        self._liveness = Liveness(
            silence_gap_seconds=2 * settings.late_after_seconds,
            lock_held=functools.partial(write_lock_held, settings.resolved_database_url),
        )

    def free_slots(self) -> int:
        return self._size - len(self._processes)

    def submit(self, export_id: str) -> None:
        self._start(export_id, export_id, None)

    def submit_unit(self, export_id: str, idx: int) -> None:
        self._start(unit_key(export_id, idx), export_id, idx)

    def _start(self, key: str, export_id: str, idx: int | None) -> None:
        process = self._context.Process(
            target=_work, args=(export_id, idx, self._settings), name=f"export-{key}"
        )
        process.start()
        self._processes[key] = process

    def active(self) -> Set[str]:
        return frozenset(self._processes)

    def pids(self) -> dict[str, int | None]:
        """Worker process id of each running export (for operators and crash tests)."""
        return {export_id: process.pid for export_id, process in self._processes.items()}

    def waiting(self, key: str) -> bool:
        """The job's worker is alive and runnable, in disk I/O or stopped; or it sleeps,
        has used CPU within the stall limit, and another of this pool's workers waits to
        run or another connection holds the store's write lock: one asleep may be waiting
        for a starved worker, or a command's import, to release SQLite's single write
        lock, but no longer than the busy timeout (`Liveness`)."""
        process = self._processes.get(key)
        if process is None or process.pid is None or not process.is_alive():
            return False
        return self._liveness.waiting(
            process.pid,
            (
                other.pid
                for other in self._processes.values()
                if other.pid is not None and other.is_alive()
            ),
        )

    def reap(self) -> list[Finished]:
        finished = []
        for export_id, process in list(self._processes.items()):
            if not process.is_alive():
                process.join()
                finished.append(Finished(export_id, process.exitcode))
                if process.pid is not None:
                    self._liveness.forget(process.pid)
                process.close()
                del self._processes[export_id]
        return finished

    def cancel(self, export_id: str) -> bool:
        process = self._processes.get(export_id)
        if process is None:
            return False
        _stop(process)
        return True

    def shutdown(self) -> list[str]:
        running = [
            export_id for export_id, process in self._processes.items() if process.is_alive()
        ]
        for process in self._processes.values():
            _stop(process)
            process.close()
        self._processes.clear()
        return running


def _stop(process: BaseProcess) -> None:
    process.terminate()
    process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()
