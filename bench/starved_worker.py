"""A SCHED_IDLE export worker starved of CPU past the stale limit: does it keep its export?

`dwelltime serve` with `idle` workers, heartbeats every 0.5 s and a 3 s stale limit (the
test suite's end-to-end server's) runs `--exports` XLSX exports of the whole store at
once, one worker each (default 2: they share SQLite's single writer, as the test
suite's exports do). Once each has made progress, `--hogs` normal-priority busy
processes (default four per core, plus one: the load ~9 on 2 cores under which an
`idle` export was once taken for dead) take every CPU for HOG_SECONDS, well past the
stale limit, then stop. SCHED_IDLE gives the workers almost none of it, and while a job
thread holds Python's GIL off the CPU its heartbeat thread cannot beat either.
Reported per round: how often serve beat for a worker because it waited to run
(`heartbeat_vouched` in serve's log), the longest gap between two heartbeats of one
export that the database showed until the exports finished, and their final statuses
and attempts (1 = never taken for dead).

`--before SRC` runs the same against an older tree's `src` (`git archive <commit> src |
tar -x -C /tmp/before`) through PYTHONPATH, alternating with this tree, A B A B.

Run: `python -m bench.starved_worker HOME [--rounds N] [--hogs N] [--exports N]
[--before SRC]`.
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

from bench._inputs import require, whole_number
from bench._served import auth_header, served
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.sources.store.issue_store import IssueStore

HOG_SECONDS = 12.0
SERVE_SETTINGS = {
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


def _hogs(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def one_round(home: Path, log: Path, before: Path | None, hogs: int, exports: int) -> str:
    """`exports` exports starved mid-run; their table row."""
    if before is not None:
        os.environ["PYTHONPATH"] = str(before)  # serve and its workers import the old tree
    store = ExportStore(IssueStore.open(Settings(home=home)).engine)
    try:
        with served(home, log, **SERVE_SETTINGS, workers=str(exports)) as server:
            headers = auth_header(home, "starved")
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                ids = [
                    client.post("/rest/export", params=EXPORT).json()["exportId"]
                    for _ in range(exports)
                ]
                while any(_completed(store, export_id) == 0 for export_id in ids):
                    time.sleep(0.05)
                gap_ms = _watch(store, ids, hogs)
                statuses = [_status(client, export_id) for export_id in ids]
    finally:
        os.environ.pop("PYTHONPATH", None)
    attempts = [record.attempts for record in map(store.get, ids) if record is not None]
    vouched = sum('"heartbeat_vouched"' in line for line in log.read_text().splitlines())
    side = "before" if before is not None else "this tree"
    return (
        f"| {side} | {vouched} | {gap_ms / 1000:.1f} | {', '.join(statuses)} "
        f"| {', '.join(map(str, attempts))} |"
    )


def _watch(store: ExportStore, ids: list[str], hogs: int) -> int:
    """Run the hogs for HOG_SECONDS and watch until every export has finished; the longest
    gap (ms) between two heartbeats of one export (any run of it) the database showed."""
    last: dict[str, int] = {}
    longest = 0
    running = _hogs(hogs)
    hogs_end = time.monotonic() + HOG_SECONDS
    try:
        while True:
            if running and time.monotonic() >= hogs_end:
                _stop(running)
                running = []
            records = [store.get(export_id) for export_id in ids]
            for record in records:
                if record is not None and record.heartbeat_ms is not None:
                    previous = last.get(record.id, record.heartbeat_ms)
                    longest = max(longest, record.heartbeat_ms - previous)
                    last[record.id] = record.heartbeat_ms
            if all(record is not None and record.status.is_finished for record in records):
                return longest
            time.sleep(0.1)
    finally:
        _stop(running)


def _stop(hogs: list[subprocess.Popen[bytes]]) -> None:
    for hog in hogs:
        hog.kill()
        hog.wait()


def _completed(store: ExportStore, export_id: str) -> int:
    record = store.get(export_id)
    return record.completed if record is not None else 0


def _status(client: httpx.Client, export_id: str) -> str:
    status: str = client.get(f"/rest/export/{export_id}").json()["status"]
    return status


def main() -> None:
    require(sys.argv[1:], "python -m bench.starved_worker HOME [--rounds N] [--before SRC]")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home", type=Path)
    parser.add_argument("--rounds", type=whole_number, default=2)
    parser.add_argument("--hogs", type=int, default=4 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--exports", type=whole_number, default=2, help="run at once, one worker each"
    )
    parser.add_argument("--before", type=Path, help="an older tree's src")
    arguments = parser.parse_args()
    print(
        f"{arguments.exports} exports, {arguments.hogs} CPU hogs for {HOG_SECONDS:.0f} s; "
        f"serve {SERVE_SETTINGS}"
    )
    print(
        "| side | serve's beats for the waiting worker | longest heartbeat gap s "
        "| final status | attempts |\n|---|---:|---:|---|---:|"
    )
    scratch = Path(tempfile.mkdtemp())
    sides = [None] if arguments.before is None else [arguments.before.resolve(), None]
    for index in range(arguments.rounds):
        for side_index, before in enumerate(sides):
            log = scratch / f"serve-{index}-{side_index}.log"
            row = one_round(arguments.home, log, before, arguments.hogs, arguments.exports)
            print(row, flush=True)


if __name__ == "__main__":
    main()
