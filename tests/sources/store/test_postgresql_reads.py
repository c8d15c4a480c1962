"""PostgreSQL's read options: a selection's ids come through a server-side cursor, whole
and in order; batch reads plan as key lookups without changing the pooled connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import filters
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import prefer_key_lookups
from tests.sources.store.postgresql import temporary_postgresql

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssueStore]:
    with temporary_postgresql() as url:
        home = tmp_path_factory.mktemp("postgresql-reads") / "home"
        store = IssueStore.open(Settings(home=home, database_url=url))
        write_demo(store, 120, projects=2)
        yield store
        store.engine.dispose()


def test_selection_ids_come_whole_and_in_order(
    store: IssueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    selection = Selection("customjql", "created is not empty ORDER BY created DESC")
    with store.engine.connect() as connection:
        whole = list(filters.selection_ids(connection, selection))
        monkeypatch.setattr(filters, "IDS_PER_FETCH", 7)  # many round trips of the cursor
        streamed = list(filters.selection_ids(connection, selection))
    assert streamed == whole and len(whole) == 120


def test_key_lookups_last_only_for_the_batch(store: IssueStore) -> None:
    show = sa.text("SHOW enable_seqscan")
    with store.engine.connect() as connection:
        prefer_key_lookups(connection)
        assert connection.execute(show).scalar() == "off"
    # The same pooled connection, next transaction: the planner is the server's again.
    with store.engine.connect() as connection:
        assert connection.execute(show).scalar() == "on"
