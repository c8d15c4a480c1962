"""A real `dwelltime serve` subprocess on a free localhost port, for end-to-end tests."""

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
import psutil

from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import TokenService, load_secret

DWELLTIME = Path(sys.executable).with_name("dwelltime")
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dwelltime_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a dwelltime command on `home` (settings as DWELLTIME_<NAME>)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWELLTIME_")}
    env["DWELLTIME_HOME"] = str(home)
    env.update({f"DWELLTIME_{name.upper()}": value for name, value in settings.items()})
    return env


def demo_home(folder: Path, issues: int, projects: int = 3) -> Path:
    """A dwelltime home in `folder` whose store holds `issues` demo issues."""
    home = folder / "home"
    write_demo(IssueStore.open(Settings(home=home)), issues, projects=projects)
    return home


def create_token(home: Path, user: str) -> str:
    """A token for `user` that a server on `home` accepts."""
    settings = Settings(home=home)
    token, _ = TokenService(IssueStore.open(settings).engine, load_secret(settings)).create(user)
    return token


class ServeProcess:
    """`with ServeProcess(home, workers="1") as server:` runs serve until the block ends."""

    def __init__(self, home: Path, log: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = dwelltime_env(home, **settings)
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(DWELLTIME), "serve", "--port", str(self.port)],
                env=self._env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited early:\n{self._log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer in time:\n{self._log.read_text()}")

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """Export worker processes: forked by serve's forkserver, so grandchildren of serve."""
        assert self.process is not None
        serve = psutil.Process(self.process.pid)
        return [
            child.pid
            for child in serve.children(recursive=True)
            if child.ppid() != serve.pid and child.is_running()
        ]

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
