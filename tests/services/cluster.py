"""A distributed dwelltime for tests: API servers and `dwelltime worker` processes sharing a
PostgreSQL database, an S3 bucket and a broker, each a real subprocess."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.db import create_db_engine
from dwelltime.exports.records import ExportRecord, ExportStore
from dwelltime.exports.units import UnitStore
from dwelltime.tokens import TokenService
from tests.api.serve_process import DWELLTIME, ServeProcess

START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.2
SECRET = "distributed-test-secret-key-that-is-long-enough"
#: Small batches and quick heartbeats: exports run long enough to catch, deaths are seen fast.
CLUSTER_SETTINGS = {
    "executor": "celery",
    "batch_size": "50",
    "heartbeat_seconds": "1",
    # Generous: the shared 2-core machine can starve a process for seconds.
    "stale_after_seconds": "10",
    "workers": "4",
    "secret_key": SECRET,
}


class WorkerProcess(ServeProcess):
    """`dwelltime worker --concurrency N` until stopped (serve's harness, another command)."""

    def __init__(self, home: Path, log: Path, concurrency: int, **settings: str) -> None:
        super().__init__(home, log, **settings)
        self._concurrency = concurrency

    def start(self) -> WorkerProcess:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(DWELLTIME), "worker", "--concurrency", str(self._concurrency)],
                env=self._env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while len(self.job_pids()) < self._concurrency or b"ready" not in self._log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{self._log.read_text()}")
            time.sleep(POLL_SECONDS)
        return self

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def job_pids(self) -> list[int]:
        """The pool processes that run the jobs (children of the worker)."""
        assert self.process is not None
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []


@dataclass
class Cluster:
    """What a test needs to drive and inspect the cluster."""

    serves: list[ServeProcess]
    workers: list[WorkerProcess]
    engine: sa.Engine
    tokens: TokenService
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def store(self) -> ExportStore:
        return ExportStore(self.engine)

    @property
    def units(self) -> UnitStore:
        return UnitStore(self.engine)

    def auth(self, user: str) -> dict[str, str]:
        if user not in self.headers:
            token, _ = self.tokens.create(user)
            self.headers[user] = {"Authorization": f"TISJWT {token}"}
        return self.headers[user]

    def start(self, server: int, user: str, params: dict[str, str]) -> str:
        answer = httpx.post(
            f"{self.serves[server].url}/rest/export",
            params=params,
            headers=self.auth(user),
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        export_id: str = answer.json()["exportId"]
        return export_id

    def status(self, server: int, user: str, export_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.serves[server].url}/rest/export/{export_id}",
            headers=self.auth(user),
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        status: dict[str, Any] = answer.json()
        return status

    def wait_for(self, export_id: str, *statuses: str, deadline_s: float = 180.0) -> ExportRecord:
        """The export's record once its status is one of `statuses` (polled in the DB)."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            record = self.store.get(export_id)
            if record is not None and record.status.value in statuses:
                return record
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"export {export_id} never became {statuses}: {record}")


@contextmanager
def cluster(
    tmp_path: Path,
    settings: dict[str, str],
    *,
    serves: int = 2,
    workers: int = 2,
    concurrency: int = 1,
    worker_settings: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """`serves` API servers and `workers` workers over the shared `settings` (lower-case
    DWELLTIME_* names); the workers get `worker_settings` on top (e.g. a proxied broker)."""
    common = {**CLUSTER_SETTINGS, **settings}
    engine = create_db_engine(common["database_url"])
    with ExitStack() as stack:
        started_serves = [
            stack.enter_context(
                ServeProcess(tmp_path / f"serve-{i}", tmp_path / f"serve-{i}.log", **common)
            )
            for i in range(serves)
        ]
        started_workers = [
            stack.enter_context(
                WorkerProcess(
                    tmp_path / f"worker-{i}",
                    tmp_path / f"worker-{i}.log",
                    concurrency,
                    **{**common, **(worker_settings or {})},
                )
            )
            for i in range(workers)
        ]
        tokens = TokenService(engine, SECRET)
        yield Cluster(started_serves, started_workers, engine, tokens)
    engine.dispose()


def demo_database(database_url: str, home: Path, issues: int) -> None:
    """Fill the store at `database_url` with demo issues (3 projects)."""
    from dwelltime.sources.demo.generator import write_demo
    from dwelltime.sources.store.issue_store import IssueStore

    store = IssueStore.open(Settings(home=home, database_url=database_url))
    write_demo(store, issues, projects=3)
    store.engine.dispose()
