"""The export-service suite's API scaled out (`pytest --topology=distributed`): two
`dwelltime serve` processes behind a round-robin load balancer, two Celery workers, one
PostgreSQL database, files in an S3 bucket (moto), all real processes and services.

The suite's tests are written against the in-process API, whose inline executor finishes
an export inside its POST; here the client waits, after a POST that started an export,
until the workers have brought it to a final state, so the same assertions hold. Every
request opens a new connection and the balancer hands each connection to the other
server, so an export started through one server is polled, listed, downloaded and aborted
through the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from dwelltime.api.app import create_app
from dwelltime.api.deps import Services
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.status import ExportStatus
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.services.brokers import broker
from tests.services.cluster import CLUSTER_SETTINGS, Cluster, cluster
from tests.services.proxy import TcpProxy
from tests.services.s3 import S3Server
from tests.sources.store.postgresql import temporary_postgresql

FINAL = tuple(status.value for status in ExportStatus if status.is_finished)
#: The broker of this leg; the dedicated distributed suite covers both.
BROKER = "redis"
#: Small chunks: an export of a demo project is split across both workers and merged, so
#: the suite's comparisons with unsplit files hold for split exports too.
CHUNK_ISSUES = 40


@dataclass(frozen=True)
class ServedApi:
    """An HTTP client of the API and the services of its database (the tests' back door)."""

    client: httpx.Client
    services: Services


@contextmanager
def distributed_api(
    folder: Path, s3: S3Server, issues: int, batch_size: int
) -> Iterator[ServedApi]:
    """The cluster over a new PostgreSQL database holding `issues` demo issues."""
    with ExitStack() as stack:
        chosen = stack.enter_context(broker(BROKER))
        database = stack.enter_context(temporary_postgresql())
        shared = {
            **CLUSTER_SETTINGS,
            **s3.settings(s3.new_bucket()),
            "database_url": database,
            "broker_url": chosen.url,
            "queue": chosen.queue,
            "batch_size": str(batch_size),
            "chunk_issues": str(CHUNK_ISSUES),
            # The balancer is the servers' trusted proxy, as in production.
            "forwarded_allow_ips": "127.0.0.1",
        }
        settings = Settings.model_validate({**shared, "home": folder / "home"})
        issue_store = IssueStore.open(settings)
        write_demo(issue_store, issues)
        issue_store.engine.dispose()
        running = stack.enter_context(cluster(folder, shared))
        balancer = stack.enter_context(
            TcpProxy(*(("127.0.0.1", serve.port) for serve in running.serves))
        )
        client = stack.enter_context(
            httpx.Client(
                base_url=balancer.url,
                timeout=60,
                # No connection is reused, so consecutive requests reach alternate servers.
                limits=httpx.Limits(max_keepalive_connections=0),
                event_hooks={"response": [_Settle(running)]},
            )
        )
        services: Services = create_app(settings, InlineExecutor(settings)).state.services
        yield ServedApi(client, services)
        services.engine.dispose()


class _Settle:
    """Response hook: after a POST that started an export, wait for its final state."""

    def __init__(self, running: Cluster) -> None:
        self._running = running

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        if (request.method, request.url.path) != ("POST", "/rest/export"):
            return
        if response.status_code != httpx.codes.OK:
            return
        response.read()
        self._running.wait_for(response.json()["exportId"], *FINAL)
