"""Shared by the API benchmarks: a `dwelltime serve` subprocess, tokens, demo homes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from dwelltime.config import Settings
from dwelltime.sources.store import IssueStore
from dwelltime.tokens import TokenService, load_secret

DWELLTIME = str(Path(sys.executable).with_name("dwelltime"))


def environment(home: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWELLTIME_")}
    env["DWELLTIME_HOME"] = str(home)
    env.update({f"DWELLTIME_{name.upper()}": value for name, value in settings.items()})
    return env


def demo_home(home: Path, issues: int) -> float:
    """Fill `home` with `issues` demo issues (3 projects) unless it has some; seconds taken."""
    began = time.perf_counter()
    subprocess.run(
        [DWELLTIME, "demo-data", "--issues", str(issues), "--if-empty"],
        env=environment(home),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def auth_header(home: Path, user: str) -> dict[str, str]:
    settings = Settings(home=home)
    tokens = TokenService(IssueStore.open(settings).engine, load_secret(settings))
    token, _ = tokens.create(user)
    return {"Authorization": f"TISJWT {token}"}


class Served:
    """`with Served(home, log, workers="4") as url:` runs `dwelltime serve` meanwhile."""

    def __init__(self, home: Path, log: Path, **settings: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = environment(home, **settings)
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [DWELLTIME, "serve", "--port", str(self.port)],
                env=self._env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self.url
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit(f"serve did not start; see {self._log}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)


def wait_until_finished(url: str, headers: dict[str, str], export_id: str) -> dict[str, object]:
    """Poll every 0.1 s until the export is no longer Queued or Running."""
    while True:
        body: dict[str, object] = httpx.get(
            f"{url}/rest/export/{export_id}", headers=headers, timeout=30
        ).json()
        if body["status"] not in ("Queued", "Running"):
            return body
        time.sleep(0.1)
