"""Status polling under load: 50 concurrent clients poll while 4 exports run throughout.

Each client polls its export's status every POLL_SECONDS (staggered), as a script waiting
for an export does; with `--back-to-back` a second pass polls with no pause (saturation:
latency is then mostly queueing, and requests/s is the server's capacity). Baseline in the
same run: the same clients against an idle server. Reports requests, errors (anything but 200, or a
transport error), p50/p99/max latency. Clients are asyncio tasks in this process (one
connection each), at this process's own priority (printed; run it at normal priority, as
a user's script on another machine would be), so part of the latency is the client's own
work on the same 2 cores.

Each user's "wait until finished" is an asyncio task of the same loop, polling every
WAIT_SECONDS on one kept-alive connection; its polls are not counted. The idle baseline
runs the same four waiters against a finished export, so both phases carry the same
request rate and the same client work: the only difference is the exports (their POSTs
and their workers). Threads for the waiters would make the pollers' loop queue on the
client's own GIL, which the pollers then measure as server latency.

Where the time goes, per phase (from the kernel, not from the app's own clocks): CPU
and run-queue wait (time runnable but not on a CPU, /proc/PID/task/*/schedstat) of the
server's event-loop thread, of its other threads, and of this client's process; the
machine's user CPU at nice > 0 (the workers' own work), the rest of its CPU besides the
server and this client (the workers' kernel time, which /proc/stat counts as `system`
whatever the nice, and other processes: a shared machine), and the CPU stolen by the
hypervisor (/proc/stat).
The exports' throughput is beside: exports finished in the loaded phase and their mean
run time (started → finished, from the server's records).

Run: `python -m bench.api_load [HOME] [--rounds N] [--variants nice,idle] [--back-to-back]`.
A variant is a `DWELLTIME_WORKER_SCHEDULING` value, optionally with a worker count
(`nice:1`; default 4 workers). Each round runs every variant once (A B A B), each with its
own idle baseline just before its loaded phase; the summary gives the medians over rounds
of p50 and p99, the machine's load average (1 minute) at the end of each phase, and the
exports' throughput.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import httpx

from bench._inputs import Arguments
from bench._served import auth_header, demo_home, served
from dwelltime.config import Settings

ISSUES = 20_000
CLIENTS = 50
EXPORTS = 4
#: Length of each phase: the idle baseline, and the loaded phase, during which every user
#: starts a new export as soon as theirs ends, so EXPORTS are running throughout.
PHASE_SECONDS = 15.0
POLL_SECONDS = 0.5
#: How often a user's waiter asks whether their export has finished (not counted).
WAIT_SECONDS = 0.1
#: Variants compared in one run by default: `DWELLTIME_WORKER_SCHEDULING` values.
VARIANTS = ("nice", "idle")
EXPORT = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "calendar": "1",
    "outputType": "XLSX",
}
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Threads:
    """CPU and run-queue wait (seconds) of one process's threads, split loop / the rest."""

    loop_cpu: float
    loop_wait: float
    other_cpu: float
    other_wait: float

    def __sub__(self, other: Threads) -> Threads:
        return Threads(
            self.loop_cpu - other.loop_cpu,
            self.loop_wait - other.loop_wait,
            self.other_cpu - other.other_cpu,
            self.other_wait - other.other_wait,
        )


def threads_of(pid: int) -> Threads:
    """The process's threads from /proc/PID/task/*/schedstat (run ns, wait ns, slices);
    its main thread (id = pid) runs the event loop in both serve and this client."""
    loop_cpu = loop_wait = other_cpu = other_wait = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            run_ns, wait_ns, _ = (task / "schedstat").read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        if int(task.name) == pid:
            loop_cpu, loop_wait = int(run_ns) / 1e9, int(wait_ns) / 1e9
        else:
            other_cpu += int(run_ns) / 1e9
            other_wait += int(wait_ns) / 1e9
    return Threads(loop_cpu, loop_wait, other_cpu, other_wait)


@dataclass(frozen=True, slots=True)
class Machine:
    """CPU seconds of the whole machine by kind (/proc/stat's first line)."""

    normal: float  # user + system + irq + softirq: all but niced processes' user time
    niced: float  # the `nice` column: user time of processes at nice > 0 (the workers)
    stolen: float

    @classmethod
    def now(cls) -> Machine:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        user, nice, system, _, _, irq, softirq, steal = fields[:8]
        return cls(
            (user + system + irq + softirq) / _CLOCK_TICKS,
            nice / _CLOCK_TICKS,
            steal / _CLOCK_TICKS,
        )

    def __sub__(self, other: Machine) -> Machine:
        return Machine(
            self.normal - other.normal, self.niced - other.niced, self.stolen - other.stolen
        )


@dataclass
class Phase:
    """What one phase measured: the pollers' latencies and where the CPU went meanwhile."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    server: Threads | None = None
    client: Threads | None = None
    machine: Machine | None = None
    #: Run time (started → finished, server's records) of each export finished in the phase.
    export_runs_s: list[float] = field(default_factory=list)
    #: The machine's load average (1 minute) at the phase's end.
    load: float = 0.0

    def percentiles(self) -> tuple[float, float]:
        """p50 and p99 in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def line(self, label: str) -> str:
        assert self.server is not None and self.client is not None and self.machine is not None
        p50, p99 = self.percentiles()
        count = len(self.latencies_ms)
        client_cpu = self.client.loop_cpu + self.client.other_cpu
        server_cpu = self.server.loop_cpu + self.server.other_cpu
        rest = self.machine.normal - server_cpu - client_cpu
        exports = (
            f"{len(self.export_runs_s)}, {statistics.mean(self.export_runs_s):.2f} s"
            if self.export_runs_s
            else "–"
        )
        return (
            f"| {label} | {count:,} | {self.errors} | {p50:.1f} | {p99:.1f} "
            f"| {max(self.latencies_ms):.1f} | {server_cpu:.1f} "
            f"| {self.server.loop_wait * 1000:.0f} / {self.server.other_wait * 1000:.0f} "
            f"| {client_cpu:.1f} | {(self.client.loop_wait + self.client.other_wait) * 1000:.0f} "
            f"| {self.machine.niced:.1f} | {max(0.0, rest):.1f} | {self.machine.stolen:.1f} "
            f"| {exports} | {self.load:.1f} |"
        )


HEADER = (
    "| variant | clients poll | phase | polls | errors | p50 ms | p99 ms | max ms "
    "| server CPU s | server run-queue wait ms (loop / other threads) | client CPU s "
    "| client run-queue wait ms | workers' user CPU s | rest CPU s | stolen s "
    "| exports finished, mean run | load |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
)


@contextmanager
def measuring(phase: Phase, server_pid: int) -> Iterator[None]:
    """Fill the phase's CPU accounting and load average over the block."""
    server, client, machine = threads_of(server_pid), threads_of(os.getpid()), Machine.now()
    yield
    phase.server = threads_of(server_pid) - server
    phase.client = threads_of(os.getpid()) - client
    phase.machine = Machine.now() - machine
    phase.load = os.getloadavg()[0]


async def poll(
    client: httpx.AsyncClient, export_id: str, until: asyncio.Event, phase: Phase, interval: float
) -> None:
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
            phase.latencies_ms.append(took * 1000)
        warmed_up = True
        phase.errors += 0 if ok else 1
        await asyncio.sleep(max(0.0, interval - took))


async def start_export(client: httpx.AsyncClient) -> str:
    response = await client.post("/rest/export", params=EXPORT)
    response.raise_for_status()
    export_id: str = response.json()["exportId"]
    return export_id


async def wait_until_finished(client: httpx.AsyncClient, export_id: str) -> dict[str, object]:
    """Poll every WAIT_SECONDS until the export is no longer Queued or Running."""
    while True:
        body: dict[str, object] = (await client.get(f"/rest/export/{export_id}")).json()
        if body["status"] not in ("Queued", "Running"):
            return body
        await asyncio.sleep(WAIT_SECONDS)


async def keep_running(
    client: httpx.AsyncClient, export_id: str, until: float, phase: Phase
) -> None:
    """Start the user's next export whenever one ends, until `until`."""
    while True:
        body = await wait_until_finished(client, export_id)
        started, finished = body.get("started"), body.get("finished")
        if isinstance(started, int) and isinstance(finished, int):
            phase.export_runs_s.append((finished - started) / 1000)
        if time.perf_counter() >= until:
            return
        export_id = await start_export(client)


async def keep_asking(client: httpx.AsyncClient, export_id: str, done: asyncio.Event) -> None:
    """The idle baseline's waiter: the same polls as `wait_until_finished`, until `done`."""
    while not done.is_set():
        await client.get(f"/rest/export/{export_id}")
        await asyncio.sleep(WAIT_SECONDS)


async def measured_phase(
    url: str,
    server_pid: int,
    users: list[dict[str, str]],
    interval: float,
    finished: list[str] | None,
) -> Phase:
    """PHASE_SECONDS of polls. With `finished` (an ended export of each user) every client
    polls its user's and the waiters keep asking about theirs (the idle baseline); else each
    user keeps one export running throughout and the pollers poll those."""
    clients = [
        httpx.AsyncClient(base_url=url, headers=headers, timeout=30)
        for headers in [users[i % EXPORTS] for i in range(CLIENTS)] + users
    ]
    pollers, waiters = clients[:CLIENTS], clients[CLIENTS:]
    phase = Phase()
    done = asyncio.Event()
    until = time.perf_counter() + PHASE_SECONDS
    with measuring(phase, server_pid):
        if finished is None:
            ids = [await start_export(waiter) for waiter in waiters]
            waiting = [keep_running(w, i, until, phase) for w, i in zip(waiters, ids, strict=True)]
        else:
            ids = finished
            waiting = [keep_asking(w, i, done) for w, i in zip(waiters, ids, strict=True)]
        background = asyncio.gather(*waiting)
        polling = [
            asyncio.create_task(poll(client, ids[i % EXPORTS], done, phase, interval))
            for i, client in enumerate(pollers)
        ]
        await asyncio.sleep(PHASE_SECONDS)
        done.set()
        await asyncio.gather(*polling)
    await background  # the loaded phase's last exports end after the pollers stop
    for client in clients:
        await client.aclose()
    return phase


def _variant(spec: str, given: Arguments) -> tuple[str, dict[str, str]]:
    """`SCHEDULING[:WORKERS[:TOKEN_CACHE_SECONDS]]` (`idle`, `nice:1`, `nice:4:0`) →
    (label, serve settings); unset parts are EXPORTS workers and the product's cache.
    A part serve would refuse is refused here, before any server starts."""
    scheduling, workers, cache = ([*spec.split(":"), "", ""])[:3]
    schedulings = get_args(Settings.model_fields["worker_scheduling"].annotation)
    if scheduling not in schedulings:
        given.refuse(
            f"--variants: scheduling must be one of {', '.join(schedulings)}, not {scheduling!r}"
        )
    if workers:
        given.whole_number(workers, "--variants: the workers")
    if cache and not cache.replace(".", "", 1).isdigit():
        given.refuse(f"--variants: the token cache must be a number of seconds, not {cache!r}")
    settings = {
        "workers": workers or str(EXPORTS),
        "max_running_per_user": "1",
        "worker_scheduling": scheduling,
    }
    label = f"{scheduling}, {settings['workers']} workers"
    if cache:
        settings["token_cache_seconds"] = cache
        label += f", token cache {cache} s"
    return label, settings


def main() -> None:
    usage = "python -m bench.api_load [HOME] [--rounds N] [--variants nice,idle] [--back-to-back]"
    given = Arguments(sys.argv[1:], usage, __doc__)
    rounds = given.count("--rounds", 3)
    specs = given.value("--variants") or ",".join(VARIANTS)
    variants = [_variant(spec, given) for spec in specs.split(",")]
    intervals = [(POLL_SECONDS, f"every {POLL_SECONDS} s")]
    if given.flag("--back-to-back"):
        intervals.append((0.0, "back to back"))
    homes = given.positional(at_most=1)
    home = Path(homes[0]) if homes else Path(tempfile.mkdtemp()) / "home"
    demo_home(home, ISSUES)
    users = [auth_header(home, f"load-{index}") for index in range(EXPORTS)]
    policy = {os.SCHED_OTHER: "SCHED_OTHER"}.get(os.sched_getscheduler(0), "not SCHED_OTHER")
    print(
        f"{CLIENTS} clients; {EXPORTS} users keep one XLSX export of the home's every issue "
        f"({ISSUES:,} in a new home) running; client process at nice "
        f"{os.getpriority(os.PRIO_PROCESS, 0)}, {policy}"
    )
    print(HEADER)
    #: (variant, poll label, phase) → the phases measured over rounds.
    runs: dict[tuple[str, str, str], list[Phase]] = {}
    scratch = Path(tempfile.mkdtemp())
    for _ in range(rounds):
        for label, settings in variants:  # A B A B, each against its own idle baseline
            with served(home, scratch / "serve.log", **settings) as server:
                assert server.process is not None
                pid = server.process.pid
                finished = asyncio.run(_finished_exports(server.url, users))
                for interval, poll_label in intervals:
                    for name, ended in (("idle", finished), ("running", None)):
                        phase = asyncio.run(measured_phase(server.url, pid, users, interval, ended))
                        runs.setdefault((label, poll_label, name), []).append(phase)
                        what = "idle server" if ended else f"{EXPORTS} exports running"
                        print(f"| {label} | {poll_label} {phase.line(what)}", flush=True)
    _summary(runs)


async def _finished_exports(url: str, users: list[dict[str, str]]) -> list[str]:
    """One export of each user run to its end (warms the server and the forkserver), so
    the idle baseline's polls are each user's own (200, like the loaded phase's)."""

    async def one(headers: dict[str, str]) -> str:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
            export_id = await start_export(client)
            await wait_until_finished(client, export_id)
            return export_id

    return list(await asyncio.gather(*(one(headers) for headers in users)))


def _summary(runs: dict[tuple[str, str, str], list[Phase]]) -> None:
    print("\nMedians over rounds (each run's value in brackets):")
    print(
        "| variant | clients poll | phase | p50 ms | p99 ms | p99 × idle | load "
        "| exports finished | mean run s |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for (label, poll_label, name), phases in runs.items():
        p50s, p99s = zip(*(phase.percentiles() for phase in phases), strict=True)
        idle_p99 = statistics.median(
            phase.percentiles()[1] for phase in runs[(label, poll_label, "idle")]
        )
        finished = [len(phase.export_runs_s) for phase in phases]
        loads = [phase.load for phase in phases]
        mean_runs = [
            statistics.mean(phase.export_runs_s) for phase in phases if phase.export_runs_s
        ]
        print(
            f"| {label} | {poll_label} | {name} | {statistics.median(p50s):.1f} "
            f"({', '.join(f'{p:.0f}' for p in p50s)}) | {statistics.median(p99s):.1f} "
            f"({', '.join(f'{p:.0f}' for p in p99s)}) | {statistics.median(p99s) / idle_p99:.2f} "
            f"| {min(loads):.1f}–{max(loads):.1f} | {statistics.median(finished):.0f} "
            f"| {statistics.median(mean_runs) if mean_runs else 0:.2f} |"
        )


if __name__ == "__main__":
    main()
