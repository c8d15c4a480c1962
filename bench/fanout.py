"""One huge export split across Celery workers: wall and CPU seconds with 1, 2 and 4
worker processes, against the unsplit export on one worker, and the merge step's share.

Every configuration is a real `dwelltime serve` (celery executor) plus one
`dwelltime worker --concurrency N` on a Redis queue of its own, all sharing one SQLite
demo store and local file storage. The configurations run in alternating order (A B C D,
A B C D, …) and the medians are compared; CPU seconds are those of the worker's job
processes (user + system, including pool processes that were replaced), read from /proc
before and after each export, beside those of serve (its scheduler, the status polls)
and of this client (its polls every 0.1 s), which share the cores. For a split export
the records also give where its wall time went (`phases`): the planner (the split job,
from its claim to the recorded units), the hand-offs (a worker process idle between its
runs, and the wait for the first chunk and for the merge), the chunks' own runs and the
merge.

Run: `python -m bench.fanout [ISSUES [HOME [ROUNDS]]]` (defaults 100000, a temporary folder,
3; a kept HOME skips the minutes of demo data). Needs Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import httpx
import psutil
from tests.services.cluster import WorkerProcess

from bench._inputs import Arguments
from bench._served import auth_header, demo_home, served, wait_until_finished
from dwelltime.config import Settings
from dwelltime.exports.records import ExportRecord, ExportStore
from dwelltime.exports.units import Unit, UnitKind, UnitRun, UnitStore
from dwelltime.sources.store.issue_store import IssueStore

BROKER = "redis://127.0.0.1:6379/0"
PARAMS = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}
DEFAULT_ROUNDS = 3
CHUNKS = 8


@dataclass
class Configuration:
    name: str
    workers: int
    split: bool
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    server_cpus: list[float] = field(default_factory=list)
    client_cpus: list[float] = field(default_factory=list)
    merge_shares: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)


PHASES = (
    "queued",
    "planner",
    "to first chunk",
    "chunk runs (max per process)",
    "chunk runs (min per process)",
    "idle between chunks (max per process)",
    "to merge",
    "merge",
    "after merge",
)


def phases(record: ExportRecord, plan: list[Unit], runs: list[UnitRun]) -> dict[str, float]:
    """Seconds of a split export's wall time per phase, from its records (see `PHASES`):
    the chunk phase is split into each worker process's busy and idle time, the largest of
    each shown (the busiest process sets the wall), and the least busy process's chunk
    time beside it (their difference is the load's imbalance)."""
    done = [run for run in runs if run.outcome == "done" and run.ended_ms is not None]
    merge_idx = max(unit.idx for unit in plan if unit.kind is UnitKind.MERGE)
    chunk_idxs = {unit.idx for unit in plan if unit.kind is UnitKind.CHUNK}
    chunks = [run for run in done if run.idx in chunk_idxs]
    merge = next(run for run in done if run.idx == merge_idx)
    assert record.started_ms is not None and record.finished_ms is not None
    # The chunks' records, not the column plan's: that unit is recorded before the windows.
    planned = min(unit.created_ms for unit in plan if unit.kind is UnitKind.CHUNK)
    first = min(run.started_ms for run in chunks)
    last = max(run.ended_ms or 0 for run in chunks)
    busy: dict[str, float] = {}
    idle: dict[str, float] = {}
    by_worker: dict[str, list[UnitRun]] = {}
    for run in chunks:
        by_worker.setdefault(run.worker, []).append(run)
    for worker, own in by_worker.items():
        own.sort(key=lambda run: run.started_ms)
        busy[worker] = sum((run.ended_ms or 0) - run.started_ms for run in own) / 1000
        idle[worker] = sum(b.started_ms - (a.ended_ms or 0) for a, b in pairwise(own)) / 1000
    values = (
        (record.started_ms - record.created_ms) / 1000,
        (planned - record.started_ms) / 1000,
        (first - planned) / 1000,
        max(busy.values()),
        min(busy.values()),
        max(idle.values()),
        (merge.started_ms - last) / 1000,
        ((merge.ended_ms or 0) - merge.started_ms) / 1000,
        (record.finished_ms - (merge.ended_ms or 0)) / 1000,
    )
    return dict(zip(PHASES, values, strict=True))


def job_cpu_seconds(worker: WorkerProcess) -> float:
    """CPU seconds of the worker so far: its own, its live pool processes', and those of
    pool processes that have exited (the kernel adds them to the parent once reaped)."""
    assert worker.process is not None
    main = psutil.Process(worker.process.pid).cpu_times()
    total: float = main.user + main.system + main.children_user + main.children_system
    for pid in worker.job_pids():
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (serve: its threads included)."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def main() -> None:
    given = Arguments(sys.argv[1:], "python -m bench.fanout [ISSUES [HOME [ROUNDS]]]", __doc__)
    positional = given.positional(at_most=3)
    issues = given.whole_number(positional[0], "ISSUES") if positional else 100_000
    rounds = given.whole_number(positional[2], "ROUNDS") if len(positional) > 2 else DEFAULT_ROUNDS
    configurations = [
        Configuration("1 worker, unsplit (baseline)", 1, split=False),
        Configuration("1 worker, split", 1, split=True),
        Configuration("2 workers, split", 2, split=True),
        Configuration("4 workers, split", 4, split=True),
    ]
    with ExitStack() as stack:
        if len(positional) > 1:
            home = Path(positional[1])
        else:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "home"
        print(f"demo data: {demo_home(home, issues):.1f} s", flush=True)
        running = []
        for index, configuration in enumerate(configurations):
            # A store of its own per configuration: schedulers sharing one database would
            # hand each other's jobs to their own workers.
            own = home.parent / f"{home.name}-{index}"
            if not own.exists():
                shutil.copytree(home, own)
                # Written out now: the kernel writing gigabytes of copies back during the
                # first round made it the slowest of every configuration.
                os.sync()
            settings = {
                "executor": "celery",
                "broker_url": BROKER,
                "queue": f"dwelltime-bench-{uuid.uuid4().hex[:8]}",
                "workers": str(configuration.workers),
                "chunk_issues": str(-(-issues // CHUNKS) if configuration.split else issues),
            }
            log = home.parent / f"fanout-{configuration.workers}-{configuration.split}"
            server = stack.enter_context(served(own, log.with_suffix(".serve.log"), **settings))
            worker = stack.enter_context(
                WorkerProcess(
                    own, log.with_suffix(".worker.log"), configuration.workers, **settings
                )
            )
            engine = IssueStore.open(Settings(home=own)).engine
            stores = (ExportStore(engine), UnitStore(engine))
            running.append((configuration, server, worker, stores, auth_header(own, "bench")))
        for _ in range(rounds):
            for configuration, server, worker, (exports, units), headers in running:
                cpu_before = job_cpu_seconds(worker)
                assert server.process is not None
                server_before = process_cpu_seconds(server.process.pid)
                client_before = time.process_time()
                began = time.perf_counter()
                answer = httpx.post(
                    f"{server.url}/rest/export", params=PARAMS, headers=headers, timeout=60
                )
                export_id = answer.json()["exportId"]
                body = wait_until_finished(server.url, headers, export_id)
                wall = time.perf_counter() - began
                assert body["status"] == "Successful", body
                configuration.walls.append(wall)
                configuration.cpus.append(job_cpu_seconds(worker) - cpu_before)
                configuration.server_cpus.append(
                    process_cpu_seconds(server.process.pid) - server_before
                )
                configuration.client_cpus.append(time.process_time() - client_before)
                plan = units.of_export(export_id)
                record = exports.get(export_id)
                if configuration.split and plan and record is not None:
                    spent = phases(record, plan, units.runs(export_id))
                    configuration.phases.append(spent)
                    configuration.merge_shares.append(spent["merge"] / wall)
                print(f"{configuration.name}: {wall:.1f} s", flush=True)
    baseline = statistics.median(configurations[0].walls)
    print(f"\n{issues:,} issues, {CHUNKS} chunks when split, medians of {rounds} rounds")
    print(
        "| configuration | wall s (runs) | job CPU s | server CPU s | client CPU s | speed-up "
        "| efficiency | merge share |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for configuration in configurations:
        wall = statistics.median(configuration.walls)
        speedup = baseline / wall
        runs = ", ".join(f"{w:.1f}" for w in configuration.walls)
        merge_share = (
            f"{statistics.median(configuration.merge_shares):.0%}"
            if configuration.merge_shares
            else "–"
        )
        print(
            f"| {configuration.name} | {wall:.1f} ({runs}) | "
            f"{statistics.median(configuration.cpus):.1f} | "
            f"{statistics.median(configuration.server_cpus):.2f} | "
            f"{statistics.median(configuration.client_cpus):.2f} | {speedup:.2f}x | "
            f"{speedup / configuration.workers:.0%} | {merge_share} |"
        )
    split = [configuration for configuration in configurations if configuration.phases]
    print("\nWhere a split export's wall time went, s (medians)")
    print("| phase | " + " | ".join(configuration.name for configuration in split) + " |")
    print("|---|" + "---:|" * len(split))
    for phase in PHASES:
        cells = [
            f"{statistics.median(spent[phase] for spent in configuration.phases):.2f}"
            for configuration in split
        ]
        print(f"| {phase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
