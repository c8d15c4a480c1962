"""Whether a silent worker process is waiting to run or hung, from the kernel's view.

A worker under SCHED_IDLE on a busy host gets almost no CPU, and while its job's thread
holds Python's GIL off the CPU the heartbeat thread cannot run Python either, so its
heartbeat falls silent though nothing is wrong. The kernel tells the two cases apart: a
starved thread is runnable, a hung process (every thread waiting on something that will
not come) sleeps. Serve asks this for the workers it started before taking their
silence for death (exports/scheduler.py).

A sleeping worker can be waiting on a starved one too: SQLite has one writer at a time,
and a SCHED_IDLE worker holding the write lock off the CPU keeps every other writer
asleep in its busy wait. So the pool vouches for any of its workers while one of them
waits to run (`any_waits_to_run`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

#: Thread states (the field after the command in /proc/PID/task/TID/stat) of a process
#: that is waiting to run rather than hung: runnable, i.e. wanting a CPU (R); in
#: uninterruptible disk I/O (D); stopped by a signal or a debugger (T, t), which SIGCONT
#: resumes. Sleeping (S), zombie (Z) and dead (X) are not.
WAITING_STATES = frozenset("RDTt")


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
        # "TID (command) STATE …": the command may itself hold spaces and parentheses.
        fields = stat.rpartition(")")[2].split()
        if fields and fields[0] in WAITING_STATES:
            return True
    return False


def any_waits_to_run(pids: Iterable[int]) -> bool:
    """True if any of the processes `pids` waits to run (`waits_to_run`)."""
    return any(waits_to_run(pid) for pid in pids)
