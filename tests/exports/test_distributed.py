"""dwelltime scaled out, with real services: two API servers and two Celery workers sharing
PostgreSQL, an S3 bucket (moto) and a broker, once on Redis and once on RabbitMQ.

An export started through one server is polled, listed, downloaded and aborted through
the other; a worker killed with -9 in the middle of a split export leaves it Successful
with the file of an undisturbed run, and the unit records show no chunk ran twice at once.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from dwelltime.exports.records import ExportRecord
from dwelltime.exports.units import UnitRun
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from tests.exports.conftest import DEMO_ISSUES
from tests.services.brokers import broker
from tests.services.cluster import POLL_SECONDS, Cluster, cluster

pytestmark = pytest.mark.integration

SMALL = {
    "filterType": "project",
    "projectKey": "PAY",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}
WHOLE = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def running(
    request: pytest.FixtureRequest,
    shared_settings: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    with broker(request.param) as chosen:
        settings = {**shared_settings, "broker_url": chosen.url, "queue": chosen.queue}
        with cluster(tmp_path_factory.mktemp(f"cluster-{chosen.name}"), settings) as started:
            yield started


def expected_file(database: str, record: ExportRecord) -> bytes:
    """The file an undisturbed, unsplit run of `record` writes (same parameters and now)."""
    from dwelltime.db import create_db_engine

    issue_store = IssueStore(create_db_engine(database))
    context = StoreParamContext(issue_store)
    params = parse_params(json.loads(record.params), context)
    out = io.BytesIO()
    run_report(params, context.source, record.now_ms, out, batch_size=50)
    issue_store.engine.dispose()
    return out.getvalue()


def download(running: Cluster, server: int, user: str, export_id: str) -> httpx.Response:
    url = f"{running.serves[server].url}/rest/export/{export_id}/download"
    return httpx.get(url, headers=running.auth(user), timeout=60)


def test_one_server_starts_the_other_serves(running: Cluster, database: str) -> None:
    export_id = running.start(0, "alice", SMALL)
    deadline = time.monotonic() + 120
    while running.status(1, "alice", export_id)["status"] != "Successful":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    listing = httpx.get(
        f"{running.serves[1].url}/rest/export", headers=running.auth("alice"), timeout=30
    ).json()
    assert export_id in [element["exportId"] for element in listing["elements"]]
    record = running.store.get(export_id)
    assert record is not None and record.attempts == 1
    answer = download(running, 1, "alice", export_id)
    assert answer.status_code == 200
    assert answer.content == expected_file(database, record)
    part = httpx.get(
        f"{running.serves[1].url}/rest/export/{export_id}/download",
        headers={**running.auth("alice"), "Range": "bytes=10-19"},
        timeout=30,
    )
    assert part.status_code == 206 and part.content == answer.content[10:20]
    assert download(running, 0, "bob", export_id).status_code == 404  # not bob's


def test_a_running_split_export_is_aborted_through_the_other_server(running: Cluster) -> None:
    export_id = running.start(0, "carol", WHOLE)
    running.wait_for(export_id, "Running")
    deadline = time.monotonic() + 120
    while not any(unit.completed for unit in running.units.of_export(export_id)):
        assert time.monotonic() < deadline, "no chunk made progress"
        time.sleep(0.1)
    answer = httpx.delete(
        f"{running.serves[1].url}/rest/export/{export_id}",
        headers=running.auth("carol"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "Aborted"
    assert download(running, 0, "carol", export_id).status_code == 404
    record = running.store.get(export_id)
    assert record is not None and record.message == "Aborted by carol."


def test_a_queued_export_is_aborted_before_any_worker_runs_it(running: Cluster) -> None:
    # Two running per user at most: the third waits Queued whatever the workers do.
    busy = [running.start(0, "dave", WHOLE) for _ in range(2)]
    queued = running.start(0, "dave", SMALL)
    for export_id in busy:
        running.wait_for(export_id, "Running")
    assert running.status(1, "dave", queued)["status"] == "Queued"
    answer = httpx.delete(
        f"{running.serves[1].url}/rest/export/{queued}", headers=running.auth("dave"), timeout=30
    )
    assert answer.json()["status"] == "Aborted"
    for export_id in busy:
        httpx.delete(
            f"{running.serves[0].url}/rest/export/{export_id}",
            headers=running.auth("dave"),
            timeout=30,
        )
    record = running.store.get(queued)
    assert record is not None and record.attempts == 0 and record.started_ms is None


def _worker_pid(run: UnitRun) -> int:
    return int(run.worker.rsplit(":", 1)[1])


def test_a_worker_killed_mid_split_export_changes_nothing(running: Cluster, database: str) -> None:
    export_id = running.start(1, "erin", WHOLE)
    deadline = time.monotonic() + 120
    victim: UnitRun | None = None
    while victim is None:
        assert time.monotonic() < deadline, "no chunk started"
        for run in running.units.runs(export_id):
            unit = running.units.get(export_id, run.idx)
            if unit is not None and unit.token == run.token and unit.completed > 0:
                victim = run
                break
        time.sleep(0.05)
    os.kill(_worker_pid(victim), signal.SIGKILL)
    record = running.wait_for(export_id, "Successful", "Failed", "Aborted")
    assert record.status.value == "Successful", record.message
    assert record.completed == record.total == DEMO_ISSUES and record.chunks == 3
    answer = download(running, 0, "erin", export_id)
    assert answer.content == expected_file(database, record)
    runs = settled_runs(running, export_id)
    killed = [run for run in runs if run.token == victim.token]
    assert killed and killed[0].ended_ms is None  # the killed run never finished its chunk
    assert_no_unit_ran_twice_at_once(runs)
    assert sum(1 for run in runs if run.idx == victim.idx) >= 2  # the lost chunk was redone


def settled_runs(running: Cluster, export_id: str) -> list[UnitRun]:
    """The export's unit runs once its merge (the unit after its chunks) has recorded its
    end (just after the export's)."""
    record = running.store.get(export_id)
    assert record is not None and record.chunks > 0
    deadline = time.monotonic() + 30
    while True:
        runs = running.units.runs(export_id)
        merge = [run for run in runs if run.idx == record.chunks]
        if any(run.ended_ms is not None for run in merge) or time.monotonic() > deadline:
            return runs
        time.sleep(POLL_SECONDS)


def assert_no_unit_ran_twice_at_once(runs: list[UnitRun]) -> None:
    """Per unit: exactly one run finished it, and every run had stopped (ended, or died
    after its last heartbeat) before the next run of that unit started."""
    by_unit: dict[int, list[UnitRun]] = {}
    for run in runs:
        by_unit.setdefault(run.idx, []).append(run)
    for idx, unit_runs in by_unit.items():
        assert [run.outcome for run in unit_runs].count("done") == 1, (idx, unit_runs)
        ordered = sorted(unit_runs, key=lambda run: run.started_ms)
        for earlier, later in itertools.pairwise(ordered):
            stopped = earlier.ended_ms if earlier.ended_ms is not None else earlier.beat_ms
            assert stopped <= later.started_ms, (idx, earlier, later)
