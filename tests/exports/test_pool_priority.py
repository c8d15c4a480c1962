"""`worker_scheduling=idle`: every worker thread but the heartbeat's runs under SCHED_IDLE."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_PROBE = """
import os, threading
from dwelltime.exports.executors.pool import _idle_except
started, stop = threading.Event(), threading.Event()
def beat():
    started.set()
    stop.wait()
keeper = threading.Thread(target=beat)
keeper.start()
started.wait()
_idle_except(keeper.native_id)
later = threading.Thread(target=lambda: print(os.sched_getscheduler(0) == os.SCHED_IDLE))
later.start(); later.join()
print(os.sched_getscheduler(0) == os.SCHED_IDLE)
print(os.sched_getscheduler(keeper.native_id) == os.SCHED_OTHER)
stop.set(); keeper.join()
"""


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux-only")
def test_idle_workers_keep_their_heartbeat_at_normal_priority() -> None:
    # In a child process: this test's own process must keep its priority.
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
