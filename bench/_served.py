"""Shared by the API benchmarks: a `dwelltime serve` subprocess, tokens, demo homes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
from tests.api.serve_process import DWELLTIME, ServeProcess, dwelltime_env

from dwelltime.config import Settings
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import TokenService, load_secret

__all__ = [
    "DWELLTIME",
    "auth_header",
    "demo_home",
    "dwelltime_env",
    "served",
    "wait_until_finished",
]


def demo_home(home: Path, issues: int) -> float:
    """Fill `home` with `issues` demo issues (3 projects) unless it has some; seconds taken."""
    began = time.perf_counter()
    subprocess.run(
        [str(DWELLTIME), "demo-data", "--issues", str(issues), "--if-empty"],
        env=dwelltime_env(home),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def auth_header(home: Path, user: str) -> dict[str, str]:
    settings = Settings(home=home)
    tokens = TokenService(IssueStore.open(settings).engine, load_secret(settings))
    token, _ = tokens.create(user)
    return {"Authorization": f"TISJWT {token}"}


def served(home: Path, log: Path, **settings: str) -> ServeProcess:
    """`with served(home, log, workers="4") as server:` runs `dwelltime serve` meanwhile
    (the test suite's harness, so benchmarks and tests start the server the same way)."""
    return ServeProcess(home, log, **settings)


def wait_until_finished(url: str, headers: dict[str, str], export_id: str) -> dict[str, object]:
    """Poll every 0.1 s until the export is no longer Queued or Running.

    One client for the whole wait: a new `httpx` client per poll costs ~33 ms of CPU (its
    TLS context) under the GIL, which the polling benchmark's clients in the same process
    then measured as server latency."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while True:
            body: dict[str, object] = client.get(f"/rest/export/{export_id}").json()
            if body["status"] not in ("Queued", "Running"):
                return body
            time.sleep(0.1)
