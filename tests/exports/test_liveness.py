"""`waits_to_run`: a runnable or stopped process waits to run; a sleeping or ended one does not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from dwelltime.exports.executors.liveness import any_waits_to_run, waits_to_run

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
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
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
