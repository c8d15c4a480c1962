"""Whether a silent worker process is waiting to run or hung, from the kernel's view.

A worker under SCHED_IDLE on a busy host gets almost no CPU, and while its job's thread
holds Python's GIL off the CPU the heartbeat thread cannot run Python either, so its
heartbeat falls silent though nothing is wrong. The kernel tells the two cases apart: a
starved thread is runnable, a hung process (every thread waiting on something that will
not come) sleeps. Serve asks this for the workers it started before taking their
silence for death (exports/scheduler.py).

A sleeping worker can be waiting on a starved one too: SQLite has one writer at a time,
and a SCHED_IDLE worker holding the write lock off the CPU keeps every other writer
asleep in its busy wait. That wait is bounded by the busy timeout (db.py), after which
the waiter gets an error and runs again. The holder need not be of the pool: a command
importing into the same store (`dwelltime import`, `demo-data`, a sync) holds the lock for
a whole batch's transaction, ~2 s per 5,000 issues on a loaded 2-core machine and longer
for bigger batches or a migration, and every worker's heartbeat (a write) waits for it. So
a sleeping worker is vouched for while another of its pool waits to run or another
connection holds the store's write lock (`write_lock_held`), but only until it has used no
CPU for longer than the busy timeout and a margin (`Liveness`): then it is hung whatever
the others do, or a deadlocked worker would live as long as any other export keeps a core
busy.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa

from dwelltime.db import BUSY_TIMEOUT_SECONDS

#: Thread states (the field after the command in /proc/PID/task/TID/stat) of a process
#: that is waiting to run rather than hung: runnable, i.e. wanting a CPU (R); in
#: uninterruptible disk I/O (D); stopped by a signal or a debugger (T, t), which SIGCONT
#: resumes. Sleeping (S), zombie (Z) and dead (X) are not.
WAITING_STATES = frozenset("RDTt")

#: How long past the busy timeout a sleeping worker that used no CPU may still be a lock
#: waiter: the error its wait ends in is raised, logged and retried in a few milliseconds
#: of CPU, and /proc counts CPU in clock ticks (10 ms), so one tick may take several waits.
STALL_MARGIN_SECONDS = 10.0

#: A sleeping worker that used no CPU for longer than this is hung.
STALL_AFTER_SECONDS = BUSY_TIMEOUT_SECONDS + STALL_MARGIN_SECONDS


def _fields_after_command(stat: str) -> list[str]:
    """The fields of a /proc stat line after "PID (command)": the command may itself hold
    spaces and parentheses, so it ends at the last one."""
    return stat.rpartition(")")[2].split()


def waits_to_run(pid: int) -> bool:
    """True if some thread of process `pid` is runnable, in disk I/O or stopped.

    False for a process whose threads all sleep, one that has exited, and wherever the
    kernel does not expose /proc (then a silent worker is judged by its heartbeat alone).
    """
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        fields = _fields_after_command(stat)
        if fields and fields[0] in WAITING_STATES:
            return True
    return False


def any_waits_to_run(pids: Iterable[int]) -> bool:
    """True if any of the processes `pids` waits to run (`waits_to_run`)."""
    return any(waits_to_run(pid) for pid in pids)


def cpu_ticks(pid: int) -> int | None:
    """CPU time process `pid` has used, all its threads together (utime + stime, in clock
    ticks); None if it has exited or the kernel does not expose /proc."""
    try:
        fields = _fields_after_command(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return None
    # After the command: state is field 3 of the line, utime and stime fields 14 and 15.
    return int(fields[11]) + int(fields[12])


def write_lock_held(url: str) -> bool:
    """True if another connection holds the write lock of the SQLite database at `url`
    (asked without waiting: the lock is taken and given back at once when free).

    False for PostgreSQL, where a heartbeat waits only for its own export's row, which
    no other transaction holds for long, and for a database file that is not there.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    path = Path(parsed.database)
    if parsed.database == ":memory:" or not path.exists():
        return False
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None
        )
    except sqlite3.Error:
        return False
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        return error.sqlite_errorcode == sqlite3.SQLITE_BUSY
    finally:
        connection.close()
    return False


def _never() -> bool:
    return False


class Liveness:
    """Judges the silent workers of one pool, remembering when each last used CPU.

    Only serve's looks at a worker (while its heartbeat is late) see its CPU time, so its
    stall is counted from the first look of its silence that found the current figure: a
    worker is judged hung no sooner than `stall_after_seconds` after its heartbeat fell
    silent. A look more than `silence_gap_seconds` after the one before starts a new
    silence (the worker beat on its own between them): what it used before does not count.
    """

    def __init__(
        self,
        silence_gap_seconds: float,
        stall_after_seconds: float = STALL_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        lock_held: Callable[[], bool] = _never,
    ) -> None:
        """`lock_held`: whether another connection holds the store's write lock now
        (`write_lock_held` of the pool's database)."""
        self._stall_after_seconds = stall_after_seconds
        self._lock_held = lock_held
        self._silence_gap_seconds = silence_gap_seconds
        self._clock = clock
        #: pid -> (its CPU ticks, when they were first seen at that figure in this silence).
        self._progress: dict[int, tuple[int, float]] = {}
        #: pid -> when it was last looked at.
        self._looked: dict[int, float] = {}

    def waiting(self, pid: int, pool: Iterable[int]) -> bool:
        """True if worker `pid` is waiting to run, or sleeps with CPU use within the stall
        limit while another of `pool` (the pool's live workers) waits to run or the
        store's write lock is held: then its silence is not death. A starved worker
        (runnable) is never hung, however long."""
        ticks = cpu_ticks(pid)
        if ticks is None:
            return False
        now = self._clock()
        if now - self._looked.get(pid, now) > self._silence_gap_seconds:
            self._progress.pop(pid, None)  # a new silence
        self._looked[pid] = now
        if waits_to_run(pid):
            # Its stall starts, at the soonest, once it is seen asleep.
            self._progress[pid] = (ticks, now)
            return True
        seen, since = self._progress.get(pid, (None, now))
        if seen != ticks:
            self._progress[pid] = (ticks, now)
            since = now
        if now - since > self._stall_after_seconds:
            return False
        return any_waits_to_run(other for other in pool if other != pid) or self._lock_held()

    def forget(self, pid: int) -> None:
        """Drop what is known of `pid` (it ended: the kernel may give its id to another)."""
        self._progress.pop(pid, None)
        self._looked.pop(pid, None)
