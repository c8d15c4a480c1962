"""A broker outage: the API servers and workers reach the broker through a TCP proxy this
test owns, cut for a few seconds while exports are queued and running. Every export still
ends in a final state, none is lost and none (nor any chunk) runs twice."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from dwelltime.exports.status import ExportStatus
from tests.exports.test_distributed import (
    SMALL,
    WHOLE,
    assert_no_unit_ran_twice_at_once,
    settled_runs,
)
from tests.services.brokers import broker
from tests.services.cluster import Cluster, cluster
from tests.services.proxy import TcpProxy

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 4.0


@pytest.fixture(params=["redis", "rabbitmq"])
def proxied(
    request: pytest.FixtureRequest,
    shared_settings: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Cluster, TcpProxy]]:
    with broker(request.param) as chosen, TcpProxy(chosen.address) as proxy:
        settings = {
            **shared_settings,
            "broker_url": proxy.url_for(chosen.url),
            "queue": chosen.queue,
        }
        folder = tmp_path_factory.mktemp(f"outage-{chosen.name}")
        with cluster(folder, settings) as started:
            yield started, proxy


def test_exports_survive_a_broker_outage(proxied: tuple[Cluster, TcpProxy]) -> None:
    running, proxy = proxied
    # Three users, two running each at most: some exports wait Queued through the outage.
    ids = [
        running.start(i % 2, user, params)
        for i, (user, params) in enumerate(
            [(user, params) for user in ("ann", "ben", "cat") for params in (SMALL, WHOLE, SMALL)]
        )
    ]
    deadline = time.monotonic() + 120
    while not any(
        record is not None and record.status is ExportStatus.RUNNING
        for record in map(running.store.get, ids)
    ):
        assert time.monotonic() < deadline, "nothing started"
        time.sleep(0.1)
    proxy.cut()
    time.sleep(OUTAGE_SECONDS)
    proxy.restore()
    for export_id in ids:
        record = running.wait_for(export_id, "Successful", "Failed", "Aborted", deadline_s=300)
        assert record.status is ExportStatus.SUCCESSFUL, record.message
        assert record.attempts == 1  # claimed once: never re-run after a redelivery
        if record.chunks:
            assert_no_unit_ran_twice_at_once(settled_runs(running, export_id))
