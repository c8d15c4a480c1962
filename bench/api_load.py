"""Status polling under load: 50 concurrent clients poll while 4 exports run.

Baseline in the same run: the same 50 clients polling an idle server (no export running).
Reports requests, errors (anything but 200 or a transport error), p50/p99/max latency.
Clients are asyncio tasks in this process (each with its own connection), so part of the
measured latency is the client's own scheduling on the same 2 cores.

Run: `python -m bench.api_load [HOME]`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench._served import Served, auth_header, demo_home, wait_until_finished

ISSUES = 20_000
CLIENTS = 50
EXPORTS = 4
BASELINE_SECONDS = 10.0
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

    def line(self, label: str) -> str:
        ordered = sorted(self.latencies_ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"| {label} | {len(ordered):,} | {self.errors} | {statistics.median(ordered):.1f} "
            f"| {p99:.1f} | {ordered[-1]:.1f} |"
        )


async def poll(
    url: str, headers: dict[str, str], export_id: str, until: asyncio.Event, tally: Tally
) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        while not until.is_set():
            began = time.perf_counter()
            try:
                response = await client.get(f"/rest/export/{export_id}")
                ok = response.status_code == 200
            except httpx.TransportError:
                ok = False
            tally.latencies_ms.append((time.perf_counter() - began) * 1000)
            tally.errors += 0 if ok else 1


async def start_export(url: str, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        response = await client.post("/rest/export", params=EXPORT)
        response.raise_for_status()
        export_id: str = response.json()["exportId"]
        return export_id


async def running_phase(url: str, users: list[dict[str, str]]) -> tuple[Tally, float]:
    ids = [await start_export(url, headers) for headers in users]
    done = asyncio.Event()
    tally = Tally()
    pollers = [
        asyncio.create_task(poll(url, users[i % EXPORTS], ids[i % EXPORTS], done, tally))
        for i in range(CLIENTS)
    ]
    began = time.perf_counter()
    await asyncio.gather(
        *(asyncio.to_thread(wait_until_finished, url, users[i], ids[i]) for i in range(EXPORTS))
    )
    seconds = time.perf_counter() - began
    done.set()
    await asyncio.gather(*pollers)
    return tally, seconds


async def idle_phase(url: str, headers: dict[str, str], export_id: str) -> Tally:
    done = asyncio.Event()
    tally = Tally()
    pollers = [
        asyncio.create_task(poll(url, headers, export_id, done, tally)) for _ in range(CLIENTS)
    ]
    await asyncio.sleep(BASELINE_SECONDS)
    done.set()
    await asyncio.gather(*pollers)
    return tally


def main() -> None:
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "home"
    demo_home(home, ISSUES)
    users = [auth_header(home, f"load-{index}") for index in range(EXPORTS)]
    settings = {"workers": str(EXPORTS), "max_running_per_user": "1"}
    with Served(home, home.parent / "serve-load.log", **settings) as url:
        first = asyncio.run(start_export(url, users[0]))
        wait_until_finished(url, users[0], first)
        idle = asyncio.run(idle_phase(url, users[0], first))
        busy, seconds = asyncio.run(running_phase(url, users))
    print(f"{CLIENTS} clients; {EXPORTS} XLSX exports of {ISSUES:,} issues ran {seconds:.0f} s")
    print("| phase | requests | errors | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(idle.line("idle server (baseline)"))
    print(busy.line(f"{EXPORTS} exports running"))


if __name__ == "__main__":
    main()
