"""A SCHED_IDLE export worker starved of CPU past the stale limit: does it keep its export?

`dwelltime serve` with `idle` workers, heartbeats every 0.5 s and a 3 s stale limit (the
test suite's end-to-end server's). Once an XLSX export of the whole store has made
progress, `--hogs` normal-priority busy processes (default four per core, plus one: the
load ~9 on 2 cores under which an `idle` export was once taken for dead) take every CPU
for HOG_SECONDS, well past the stale limit, then stop. SCHED_IDLE gives the worker almost
none of it, and while its job thread holds Python's GIL off the CPU its heartbeat thread
cannot beat either. Reported per round: how often serve beat for the worker because it
was waiting to run (`heartbeat_vouched` in serve's log), the longest gap between the
export's heartbeats that the database saw, and the export's final status and attempts
(1 = never taken for dead).

`--before SRC` runs the same against an older tree's `src` (`git archive <commit> src |
tar -x -C /tmp/before`) through PYTHONPATH, alternating with this tree, A B A B.

Run: `python -m bench.starved_worker HOME [--rounds N] [--hogs N] [--before SRC]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench._inputs import require
from bench._served import auth_header, served
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.sources.store.issue_store import IssueStore

HOG_SECONDS = 12.0
SERVE_SETTINGS = {
    "workers": "1",
    "worker_scheduling": "idle",
    "heartbeat_seconds": "0.5",
    "stale_after_seconds": "3",
}
EXPORT = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "outputType": "XLSX",
}
FINISHED = {"Successful", "Failed", "Aborted"}


def _hogs(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def one_round(home: Path, log: Path, before: Path | None, hogs: int) -> str:
    """One export starved mid-run; its table row."""
    if before is not None:
        os.environ["PYTHONPATH"] = str(before)  # serve and its workers import the old tree
    try:
        with served(home, log, **SERVE_SETTINGS) as server:
            headers = auth_header(home, "starved")
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                export_id = client.post("/rest/export", params=EXPORT).json()["exportId"]
                while client.get(f"/rest/export/{export_id}").json().get("completed", 0) == 0:
                    time.sleep(0.05)
                gaps, running = [], _hogs(hogs)
                store = ExportStore(IssueStore.open(Settings(home=home)).engine)
                last, hog_end = None, time.monotonic() + HOG_SECONDS
                try:
                    while time.monotonic() < hog_end:
                        record = store.get(export_id)
                        if record is not None and record.heartbeat_ms != last:
                            if last is not None and record.heartbeat_ms is not None:
                                gaps.append(record.heartbeat_ms - last)
                            last = record.heartbeat_ms
                        time.sleep(0.1)
                finally:
                    for hog in running:
                        hog.kill()
                        hog.wait()
                body = client.get(f"/rest/export/{export_id}").json()
                while body["status"] not in FINISHED:
                    time.sleep(0.2)
                    body = client.get(f"/rest/export/{export_id}").json()
        record = store.get(export_id)
        assert record is not None
    finally:
        os.environ.pop("PYTHONPATH", None)
    vouched = sum('"heartbeat_vouched"' in line for line in log.read_text().splitlines())
    side = "before" if before is not None else "this tree"
    return (
        f"| {side} | {vouched} | {max(gaps, default=0) / 1000:.1f} | {body['status']} "
        f"| {record.attempts} |"
    )


def main() -> None:
    require(sys.argv[1:], "python -m bench.starved_worker HOME [--rounds N] [--before SRC]")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--hogs", type=int, default=4 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--before", type=Path, help="an older tree's src")
    arguments = parser.parse_args()
    print(f"{arguments.hogs} CPU hogs for {HOG_SECONDS:.0f} s; serve {SERVE_SETTINGS}")
    print(
        "| side | serve's beats for the waiting worker | longest heartbeat gap s "
        "| final status | attempts |\n|---|---:|---:|---|---:|"
    )
    scratch = Path(tempfile.mkdtemp())
    sides = [None] if arguments.before is None else [arguments.before.resolve(), None]
    for index in range(arguments.rounds):
        for side_index, before in enumerate(sides):
            log = scratch / f"serve-{index}-{side_index}.log"
            print(one_round(arguments.home, log, before, arguments.hogs), flush=True)


if __name__ == "__main__":
    main()
