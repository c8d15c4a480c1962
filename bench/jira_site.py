"""Jira site benchmark: an export read from a rate-limited fake Jira, then again unchanged.

The fake Jira (tests/sources/jira/fake_jira.py) runs in its own process with a latency per
request and a token-bucket rate limit of `--rate` requests/s, a bucket of that many, as
Jira Cloud's burst limits (X-RateLimit-* headers on every answer, 429 with Retry-After
when the bucket is empty). Phase 1 exports a project of `--issues` issues (one in nine
with 100+ histories) into an empty mirror: issues with full histories per second against
what the rate limit allows, requests per issue. Phase 2 runs the same export again with
nothing changed in Jira, alternating with the same export on the local store (the
baseline), A B A B: requests and seconds, medians, CPU seconds beside wall time.
Usage: `python -m bench.jira_site [--issues N] [--rate R] [--latency-ms L] [--rounds K]`.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import uvicorn
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import make_issues

from bench._inputs import whole_number
from dwelltime.config import Settings
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.base import IssueSource
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource

EMAIL = "bench@example.com"
QUERY = {
    "filterType": ["project"],
    "projectKey": ["BENCH"],
    "columnsBy": ["statusDuration"],
    "outputType": ["CSV"],
}
NOW_MS = 1_767_225_600_000


def _serve(listener: socket.socket, issues: int, rate: int, latency_s: float) -> None:
    fake = FakeJira(make_issues(issues, projects=("BENCH",)), latency_s=latency_s, rate_limit=rate)
    fake.grant("bench", {"BENCH"}, email=EMAIL, token="bench-token")
    fake.set_clock_after_issues()  # what changed "in the last N minutes" is what the bench changes
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_config=None, access_log=False))
    server.run(sockets=[listener])


def _fake_stats(url: str) -> dict[str, int]:
    stats: dict[str, int] = httpx.get(f"{url}/_fake/stats").json()
    return stats


def _export(source: IssueSource, store: IssueStore) -> int:
    params = parse_params(QUERY, StoreParamContext(store))
    out = io.BytesIO()
    return run_report(params, source, NOW_MS, out).issues


def _timed(run: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    issues = run()
    return time.perf_counter() - wall, time.process_time() - cpu, issues


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds of the fake's process: when close to the wall time, the fake (on a
    loaded machine), not the rate limit, was what bounded the fetch."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=3000)
    parser.add_argument("--rate", type=whole_number, default=20, help="requests/s the fake allows")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=whole_number, default=3)
    args = parser.parse_args()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = "http://{}:{}".format(*listener.getsockname())
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(listener, args.issues, args.rate, args.latency_ms / 1000), daemon=True
    )
    server.start()
    while True:
        try:
            _fake_stats(url)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    credentials = JiraCredentials(url, "cloud", EMAIL, "bench-token")
    with tempfile.TemporaryDirectory() as folder:
        # The server's own pacing is set above the fake's limit: Jira's headers must pace it.
        settings = Settings(home=Path(folder), jira_requests_per_second=args.rate * 5.0)
        store = IssueStore.open(settings)

        def from_jira() -> tuple[int, int]:
            source = JiraSource(store, open_site(credentials, settings))
            return _export(source, store), source.requests

        counted: list[int] = []

        def jira_run() -> int:
            issues, requests = from_jira()
            counted.append(requests)
            return issues

        fake_cpu = _cpu_seconds(server.pid)
        wall, cpu, issues = _timed(jira_run)
        fake_cpu = _cpu_seconds(server.pid) - fake_cpu
        first_requests = counted[-1]
        throttled = _fake_stats(url)["throttled"]
        allowed = args.rate / (first_requests / issues)  # issues/s the rate limit allows
        print(
            f"phase 1: {issues:,} issues with full histories in {wall:.2f} s wall "
            f"({cpu:.2f} s CPU): {issues / wall:,.0f} issues/s; {first_requests} requests = "
            f"{first_requests / issues:.3f} per issue; {first_requests / wall:.1f} requests/s "
            f"against a limit of {args.rate}/s: {issues / wall / allowed:.2f} of what it "
            f"allows; {throttled} answered 429; the fake Jira used {fake_cpu:.2f} s CPU"
        )
        jira_times: list[tuple[float, float]] = []
        local_times: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            wall, cpu, _ = _timed(jira_run)
            jira_times.append((wall, cpu))
            wall, cpu, _ = _timed(lambda: _export(LocalSource(store), store))
            local_times.append((wall, cpu))
        again = statistics.median(counted[1:])
        jira_wall = statistics.median(t[0] for t in jira_times)
        local_wall = statistics.median(t[0] for t in local_times)
        jira_cpu = statistics.median(t[1] for t in jira_times)
        local_cpu = statistics.median(t[1] for t in local_times)
        print(
            f"phase 2 (unchanged, median of {args.rounds}, A B A B): {again:.0f} requests = "
            f"{again / issues * 1000:.2f} per 1,000 issues; Jira-bound {jira_wall:.2f} s wall "
            f"({jira_cpu:.2f} s CPU), local store {local_wall:.2f} s wall ({local_cpu:.2f} s "
            f"CPU): {jira_wall / local_wall:.2f}x wall, {jira_cpu / local_cpu:.2f}x CPU"
        )
        store.engine.dispose()
    server.terminate()
    server.join()


if __name__ == "__main__":
    main()
