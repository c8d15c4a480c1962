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


_BATCH_PROBE = """
import os, threading
from dwelltime.config import Settings
from dwelltime.exports.executors.pool import WORKER_NICENESS, yield_cpu
before = os.nice(0)
yield_cpu(Settings(worker_scheduling="{scheduling}"))
policies = []
later = threading.Thread(target=lambda: policies.append(os.sched_getscheduler(0)))
later.start(); later.join()
print(os.nice(0) == min(19, before + WORKER_NICENESS))
print(os.sched_getscheduler(0) == os.{policy}, policies == [os.{policy}])
"""


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux-only")
@pytest.mark.parametrize(
    ("scheduling", "policy"), [("batch", "SCHED_BATCH"), ("nice", "SCHED_OTHER")]
)
def test_batch_workers_and_their_threads_run_under_sched_batch_at_nice_10(
    scheduling: str, policy: str
) -> None:
    probe = _BATCH_PROBE.format(scheduling=scheduling, policy=policy)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
