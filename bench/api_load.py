"""Status polling under load: 50 concurrent clients poll while 4 exports run throughout.

Each client polls its export's status every POLL_SECONDS (staggered), as a script waiting
for an export does; with `--back-to-back` a second pass polls with no pause (saturation:
latency is then mostly queueing, and requests/s is the server's capacity). Baseline in the
same run: the same clients against an idle server. Reports requests, errors (anything but 200, or a
transport error), p50/p99/max latency. Clients are asyncio tasks in this process (one
connection each), so part of the latency is the client's own work on the same 2 cores.

Run: `python -m bench.api_load [HOME] [--rounds N] [--back-to-back]`. Each round runs once
per `DWELLTIME_WORKER_SCHEDULING` value (A B A B), each with its own idle baseline just
before its loaded phase; the summary gives the medians over rounds of p50 and p99 and the
machine's load average (1 minute) at the end of each phase. `--back-to-back` adds the
capacity pass.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench._served import auth_header, demo_home, served, wait_until_finished

ISSUES = 20_000
CLIENTS = 50
EXPORTS = 4
#: Length of each phase: the idle baseline, and the loaded phase, during which every user
#: starts a new export as soon as theirs ends, so EXPORTS are running throughout.
PHASE_SECONDS = 15.0
POLL_SECONDS = 0.5
#: `DWELLTIME_WORKER_SCHEDULING` values compared in one run.
SCHEDULINGS = ("nice", "idle")
EXPORT = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "calendar": "1",
    "outputType": "XLSX",
}


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def percentiles(self) -> tuple[float, float]:
        """p50 and p99 in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def line(self, label: str, seconds: float) -> str:
        p50, p99 = self.percentiles()
        count = len(self.latencies_ms)
        return (
            f"| {label} | {count:,} | {count / seconds:.0f} | {self.errors} "
            f"| {p50:.1f} | {p99:.1f} | {max(self.latencies_ms):.1f} | {os.getloadavg()[0]:.1f} |"
        )


async def poll(
    url: str,
    headers: dict[str, str],
    export_id: str,
    until: asyncio.Event,
    tally: Tally,
    interval: float,
) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        await asyncio.sleep(random.uniform(0, interval))
        # Each client's first request opens its connection; pollers then keep it alive, so
        # that first request is counted for errors but not for latency.
        warmed_up = False
        while not until.is_set():
            began = time.perf_counter()
            try:
                response = await client.get(f"/rest/export/{export_id}")
                ok = response.status_code == 200
            except httpx.TransportError:
                ok = False
            took = time.perf_counter() - began
            if warmed_up:
                tally.latencies_ms.append(took * 1000)
            warmed_up = True
            tally.errors += 0 if ok else 1
            await asyncio.sleep(max(0.0, interval - took))


async def start_export(url: str, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        response = await client.post("/rest/export", params=EXPORT)
        response.raise_for_status()
        export_id: str = response.json()["exportId"]
        return export_id


async def keep_running(url: str, headers: dict[str, str], export_id: str, until: float) -> int:
    """Start the user's next export whenever one ends, until `until`; how many ran."""
    started = 1
    while True:
        await asyncio.to_thread(wait_until_finished, url, headers, export_id)
        if time.perf_counter() >= until:
            return started
        export_id = await start_export(url, headers)
        started += 1


async def running_phase(
    url: str, users: list[dict[str, str]], interval: float
) -> tuple[Tally, int]:
    """PHASE_SECONDS of polls while each user keeps one export running; (polls, exports)."""
    ids = [await start_export(url, headers) for headers in users]
    done = asyncio.Event()
    tally = Tally()
    pollers = [
        asyncio.create_task(poll(url, users[i % EXPORTS], ids[i % EXPORTS], done, tally, interval))
        for i in range(CLIENTS)
    ]
    until = time.perf_counter() + PHASE_SECONDS
    keepers = asyncio.gather(*(keep_running(url, users[i], ids[i], until) for i in range(EXPORTS)))
    await asyncio.sleep(PHASE_SECONDS)
    done.set()
    await asyncio.gather(*pollers)
    return tally, sum(await keepers)


async def idle_phase(url: str, headers: dict[str, str], export_id: str, interval: float) -> Tally:
    done = asyncio.Event()
    tally = Tally()
    pollers = [
        asyncio.create_task(poll(url, headers, export_id, done, tally, interval))
        for _ in range(CLIENTS)
    ]
    await asyncio.sleep(PHASE_SECONDS)
    done.set()
    await asyncio.gather(*pollers)
    return tally


def main() -> None:
    arguments = sys.argv[1:]
    rounds = 3
    if "--rounds" in arguments:
        at = arguments.index("--rounds")
        rounds = int(arguments[at + 1])
        del arguments[at : at + 2]
    intervals = [(POLL_SECONDS, f"every {POLL_SECONDS} s")]
    if "--back-to-back" in arguments:
        arguments.remove("--back-to-back")
        intervals.append((0.0, "back to back"))
    home = Path(arguments[0]) if arguments else Path(tempfile.mkdtemp()) / "home"
    demo_home(home, ISSUES)
    users = [auth_header(home, f"load-{index}") for index in range(EXPORTS)]
    print(f"{CLIENTS} clients; {EXPORTS} XLSX exports of {ISSUES:,} issues (4 workers)")
    print(
        "| workers | clients poll | phase | requests | per s | errors | p50 ms | p99 ms | max ms "
        "| load |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    #: (scheduling, poll label, phase) → [(p50, p99, load average)] over rounds.
    runs: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
    for _ in range(rounds):
        for scheduling in SCHEDULINGS:  # A B A B, each against its own idle baseline
            settings = {
                "workers": str(EXPORTS),
                "max_running_per_user": "1",
                "worker_scheduling": scheduling,
            }
            log = home.parent / f"serve-load-{scheduling}.log"
            with served(home, log, **settings) as server:
                first = asyncio.run(start_export(server.url, users[0]))
                wait_until_finished(server.url, users[0], first)
                for interval, label in intervals:
                    idle = asyncio.run(idle_phase(server.url, users[0], first, interval))
                    _record(runs, (scheduling, label, "idle"), idle)
                    baseline = idle.line("idle server (baseline)", PHASE_SECONDS)
                    print(f"| {scheduling} | {label} {baseline}")
                    busy, exports = asyncio.run(running_phase(server.url, users, interval))
                    _record(runs, (scheduling, label, "running"), busy)
                    phase = f"{EXPORTS} exports running ({exports} in all)"
                    print(f"| {scheduling} | {label} {busy.line(phase, PHASE_SECONDS)}", flush=True)
    _summary(runs)


def _record(
    runs: dict[tuple[str, str, str], list[tuple[float, float, float]]],
    key: tuple[str, str, str],
    tally: Tally,
) -> None:
    runs.setdefault(key, []).append((*tally.percentiles(), os.getloadavg()[0]))


def _summary(runs: dict[tuple[str, str, str], list[tuple[float, float, float]]]) -> None:
    print("\nMedians over rounds (each run's value in brackets):")
    print("| workers | clients poll | phase | p50 ms | p99 ms | p99 × idle | load |")
    print("|---|---|---|---:|---:|---:|---:|")
    for (scheduling, label, phase), values in runs.items():
        p50s, p99s, loads = zip(*values, strict=True)
        idle_p99 = statistics.median(p for _, p, _ in runs[(scheduling, label, "idle")])
        print(
            f"| {scheduling} | {label} | {phase} | {statistics.median(p50s):.1f} "
            f"({', '.join(f'{p:.0f}' for p in p50s)}) | {statistics.median(p99s):.1f} "
            f"({', '.join(f'{p:.0f}' for p in p99s)}) | {statistics.median(p99s) / idle_p99:.2f} "
            f"| {min(loads):.1f}–{max(loads):.1f} |"
        )


if __name__ == "__main__":
    main()
