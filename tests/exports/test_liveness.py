"""`waits_to_run`: a runnable or stopped process waits to run; a sleeping or ended one does
not. `Liveness`: a sleeping worker is vouched for beside a busy one, or while another
connection holds the store's write lock (`write_lock_held`), only until it has used no CPU
for longer than a lock wait can last; a starved one always.

Real processes throughout; only `Liveness`'s clock is the test's, so that passing the
stall limit takes no waiting."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.db import BUSY_TIMEOUT_SECONDS
from dwelltime.exports.executors.liveness import (
    STALL_AFTER_SECONDS,
    Liveness,
    any_waits_to_run,
    cpu_ticks,
    waits_to_run,
    write_lock_held,
)

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")

#: How often a sleeping child is looked at before the test gives up on it ever sleeping.
LOOKS = 400


def _sleeping_child() -> Iterator[subprocess.Popen[bytes]]:
    """A child blocked reading its stdin: every thread asleep, as in a hung worker."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    yield child
    child.kill()
    child.wait()


#: Spins (always runnable) until the test's process is gone: a test run killed before
#: its clean-up (SIGTERM, SIGKILL) leaves no child behind to hold a core for good.
_SPIN = "import os\nparent = os.getppid()\nwhile os.getppid() == parent: pass"


@contextmanager
def _busy_child(code: str = "", *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """A child that runs `code` (given `args`), says so on its stdout, then spins: always
    runnable."""
    script = f"{code}\nprint('ready', flush=True)\n{_SPIN}"
    child = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        yield child
    finally:
        child.kill()
        child.wait()


@pytest.fixture(name="busy")
def _busy() -> Iterator[subprocess.Popen[bytes]]:
    with _busy_child() as child:
        yield child


sleeper = pytest.fixture(_sleeping_child, name="sleeper")
other_sleeper = pytest.fixture(_sleeping_child, name="other_sleeper")


def _falls_asleep(pid: int) -> bool:
    """True once `waits_to_run(pid)` is False (its start-up ran, it blocks on its input)."""
    for _ in range(LOOKS):
        if not waits_to_run(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_busy_process_waits_to_run() -> None:
    child = subprocess.Popen([sys.executable, "-c", _SPIN])
    try:
        assert waits_to_run(child.pid)  # on a CPU or runnable: R either way
    finally:
        child.kill()
        child.wait()


def test_a_sleeping_process_does_not_and_a_stopped_one_does(
    sleeper: subprocess.Popen[bytes], other_sleeper: subprocess.Popen[bytes]
) -> None:
    assert _falls_asleep(sleeper.pid) and _falls_asleep(other_sleeper.pid)
    assert not any_waits_to_run([sleeper.pid, other_sleeper.pid])
    os.kill(sleeper.pid, signal.SIGSTOP)
    _, status = os.waitpid(sleeper.pid, os.WUNTRACED)  # returns once it is stopped
    assert os.WIFSTOPPED(status)
    assert waits_to_run(sleeper.pid)
    # The other one may be asleep on a lock the stopped one holds: both are vouched for.
    assert any_waits_to_run([other_sleeper.pid, sleeper.pid])
    os.kill(sleeper.pid, signal.SIGCONT)
    assert _falls_asleep(sleeper.pid)
    assert not any_waits_to_run([sleeper.pid, other_sleeper.pid])


def test_an_ended_process_does_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    # Ended but not reaped: a zombie.
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    assert not waits_to_run(child.pid)
    child.wait()
    assert not waits_to_run(child.pid)


class _Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


#: How often serve looks at a silent worker (its late interval, by default).
LOOK_SECONDS = Settings().late_after_seconds


def _liveness(clock: _Clock) -> Liveness:
    return Liveness(silence_gap_seconds=2 * LOOK_SECONDS, clock=clock)


def _looks(
    liveness: Liveness, clock: _Clock, pid: int, pool: list[int], seconds: float
) -> list[bool]:
    """Serve's verdicts on a silent worker `pid`, looking every `LOOK_SECONDS` for
    `seconds` (the clock moves, the processes run on as they are)."""
    verdicts = []
    for _ in range(int(seconds // LOOK_SECONDS)):
        clock.now += LOOK_SECONDS
        verdicts.append(liveness.waiting(pid, pool))
    return verdicts


def test_a_busy_process_uses_cpu_and_an_ended_one_has_no_figure(
    busy: subprocess.Popen[bytes],
) -> None:
    first = cpu_ticks(busy.pid)
    assert first is not None
    for _ in range(LOOKS):
        if (cpu_ticks(busy.pid) or 0) > first:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a spinning process used no CPU")
    busy.kill()
    busy.wait()
    assert cpu_ticks(busy.pid) is None


def test_a_sleeping_worker_beside_a_busy_one_is_hung_once_it_used_no_cpu_past_the_limit(
    sleeper: subprocess.Popen[bytes], busy: subprocess.Popen[bytes]
) -> None:
    clock = _Clock()
    liveness = _liveness(clock)
    pool = [sleeper.pid, busy.pid]
    assert _falls_asleep(sleeper.pid)
    # It may be waiting for the busy one to release SQLite's write lock...
    assert liveness.waiting(sleeper.pid, pool)
    assert all(_looks(liveness, clock, sleeper.pid, pool, STALL_AFTER_SECONDS))
    # ...but no lock wait lasts this long without a tick of CPU: it is hung.
    clock.now = STALL_AFTER_SECONDS + 1.0
    assert not liveness.waiting(sleeper.pid, pool)
    assert liveness.waiting(busy.pid, pool)
    # Looked at again only much later, it beat on its own meanwhile: a new silence.
    clock.now += 3 * LOOK_SECONDS
    assert liveness.waiting(sleeper.pid, pool)
    assert not all(_looks(liveness, clock, sleeper.pid, pool, 2 * STALL_AFTER_SECONDS))
    # Forgotten (it ended, and its id may come back), its stall counts afresh.
    liveness.forget(sleeper.pid)
    assert liveness.waiting(sleeper.pid, pool)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux-only")
def test_a_starved_worker_beside_busy_ones_is_never_hung() -> None:
    # Both on one CPU, the SCHED_IDLE one gets almost none of it: starved, but runnable.
    cpu = min(os.sched_getaffinity(0))
    pinned = f"import os; os.sched_setaffinity(0, {{{cpu}}})"
    idle = f"{pinned}; os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))"
    with _busy_child(pinned) as hog, _busy_child(idle) as starved:
        clock = _Clock()
        liveness = _liveness(clock)
        pool = [hog.pid, starved.pid]
        assert liveness.waiting(starved.pid, pool)
        assert all(_looks(liveness, clock, starved.pid, pool, 3 * STALL_AFTER_SECONDS))


_LOCK_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
"""

_LOCK_WAITER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=float(sys.argv[2]))
print("waiting", flush=True)
connection.execute("BEGIN IMMEDIATE")
"""


@contextmanager
def _lock_waiter(database: str) -> Iterator[subprocess.Popen[bytes]]:
    """A process asleep in SQLite's busy wait for the write lock of `database` (which
    another holds), killed at the end."""
    waiter = subprocess.Popen(
        [sys.executable, "-c", _LOCK_WAITER, database, str(BUSY_TIMEOUT_SECONDS)],
        stdout=subprocess.PIPE,
    )
    try:
        assert waiter.stdout is not None and waiter.stdout.readline() == b"waiting\n"
        assert _falls_asleep(waiter.pid)  # in SQLite's busy wait
        yield waiter
    finally:
        waiter.kill()
        waiter.wait()


def test_a_worker_waiting_for_a_busy_ones_write_lock_is_not_hung_within_the_limit(
    tmp_path: Path,
) -> None:
    database = str(tmp_path / "store.sqlite")
    with (
        _busy_child(_LOCK_HOLDER, database) as holder,  # ready once it holds the lock
        _lock_waiter(database) as waiter,
    ):
        clock = _Clock()
        liveness = _liveness(clock)
        pool = [holder.pid, waiter.pid]
        assert liveness.waiting(waiter.pid, pool)
        assert all(_looks(liveness, clock, waiter.pid, pool, STALL_AFTER_SECONDS))
        assert waiter.poll() is None  # still waiting: the test took less than its timeout


def _wal_store(tmp_path: Path) -> str:
    """A SQLite file in WAL mode, as the store's (the mode stays with the file)."""
    database = tmp_path / "store.sqlite"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return str(database)


def test_the_write_lock_is_held_while_another_connection_holds_it(tmp_path: Path) -> None:
    assert not write_lock_held(f"sqlite:///{tmp_path / 'absent.sqlite'}")
    assert not write_lock_held("postgresql+psycopg://user@localhost/dwelltime")
    database = _wal_store(tmp_path)
    url = f"sqlite:///{database}"
    assert not write_lock_held(url)
    with _busy_child(_LOCK_HOLDER, database):
        assert write_lock_held(url)
    assert not write_lock_held(url)  # the holder is gone, and the probe took nothing
    writer = sqlite3.connect(database, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.close()


def _liveness_seeing_the_lock(clock: _Clock, database: str) -> Liveness:
    """Serve's judge of a pool on the store `database`, as `ProcessPool` makes it."""
    return Liveness(
        silence_gap_seconds=2 * LOOK_SECONDS,
        clock=clock,
        lock_held=functools.partial(write_lock_held, f"sqlite:///{database}"),
    )


def test_a_worker_waiting_for_a_commands_write_lock_is_not_hung_within_the_limit(
    tmp_path: Path,
) -> None:
    """A command outside the pool (an import's batch, a migration) holds the write lock
    that the only worker's heartbeat waits for: nothing of the pool waits to run, yet the
    worker is waiting, not hung, until no lock wait could have lasted so long."""
    database = _wal_store(tmp_path)
    with (
        _busy_child(_LOCK_HOLDER, database),  # the command, ready once it holds the lock
        _lock_waiter(database) as waiter,
    ):
        clock = _Clock()
        blind = _liveness(clock)
        liveness = _liveness_seeing_the_lock(clock, database)
        pool = [waiter.pid]
        assert not blind.waiting(waiter.pid, pool)  # without the lock in view: hung
        assert liveness.waiting(waiter.pid, pool)
        assert all(_looks(liveness, clock, waiter.pid, pool, STALL_AFTER_SECONDS))
        assert waiter.poll() is None  # still waiting: the test took less than its timeout


def test_a_hung_worker_is_hung_past_the_limit_however_long_a_command_holds_the_lock(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    """A deadlocked worker (here: blocked on its input for good) during a long import is
    taken for a lock waiter only as long as a lock wait can last."""
    database = _wal_store(tmp_path)
    with _busy_child(_LOCK_HOLDER, database):
        assert _falls_asleep(sleeper.pid)
        clock = _Clock()
        liveness = _liveness_seeing_the_lock(clock, database)
        pool = [sleeper.pid]
        assert liveness.waiting(sleeper.pid, pool)
        assert all(_looks(liveness, clock, sleeper.pid, pool, STALL_AFTER_SECONDS))
        clock.now = STALL_AFTER_SECONDS + 1.0
        assert not liveness.waiting(sleeper.pid, pool)
