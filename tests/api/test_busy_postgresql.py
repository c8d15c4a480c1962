"""On PostgreSQL a request waits for a lock at most `lock_timeout` (the request engine's
2 s) and then answers 503 with Retry-After, as SQLite's busy timeout does
(test_hardening.test_a_locked_database_is_a_503_with_retry_after)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from dwelltime.api.app import create_app
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.api.conftest import User, new_user
from tests.api.envelope import assert_envelope
from tests.api.live_server import ThreadedServer
from tests.sources.store.postgresql import temporary_postgresql

pytestmark = pytest.mark.integration

PROJECT_EXPORT = {
    "filterType": "project",
    "projectKey": "PAY",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[httpx.Client, User, str]]:
    with temporary_postgresql() as url:
        settings = Settings(home=tmp_path / "home", database_url=url)
        write_demo(IssueStore.open(settings), 20)
        app = create_app(settings, InlineExecutor(settings))
        user = new_user(app.state.services, "alice")
        with ThreadedServer(app) as base, httpx.Client(base_url=base, timeout=30) as client:
            yield client, user, url
        app.state.services.engine.dispose()


def test_a_locked_table_is_a_503_with_retry_after(
    served: tuple[httpx.Client, User, str],
) -> None:
    client, alice, url = served
    holder = sa.create_engine(url)
    try:
        with holder.connect() as connection:
            connection.exec_driver_sql("LOCK TABLE exports IN ACCESS EXCLUSIVE MODE")
            response = client.post("/rest/export", params=PROJECT_EXPORT, headers=alice.headers)
            body = assert_envelope(response, 503, "The database is busy.")
            assert response.headers["Retry-After"] == "2"
            assert body["messages"] == [
                "Another process holds the database; retry in a few seconds."
            ]
            connection.rollback()
        again = client.post("/rest/export", params=PROJECT_EXPORT, headers=alice.headers)
        assert again.status_code == 200, again.text
    finally:
        holder.dispose()
