"""The pickers' catalog reads the same on PostgreSQL as on SQLite: each spells its JSON key
scan differently (jsonb_object_keys against json_each), so each is run against the other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import catalog
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.store.postgresql import temporary_postgresql

pytestmark = pytest.mark.integration


def _demo(home: Path, database_url: str | None = None) -> IssueStore:
    store = IssueStore.open(Settings(home=home, database_url=database_url))
    write_demo(store, 90, projects=2)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IssueStore, IssueStore]]:
    sqlite = _demo(tmp_path_factory.mktemp("catalog-sqlite") / "home")
    with temporary_postgresql() as url:
        postgresql = _demo(tmp_path_factory.mktemp("catalog-postgresql") / "home", url)
        yield sqlite, postgresql
        postgresql.engine.dispose()
    sqlite.engine.dispose()


def test_custom_field_ids_are_every_key_of_the_stored_fields(
    stores: tuple[IssueStore, IssueStore],
) -> None:
    sqlite, postgresql = stores
    ids = catalog.custom_field_ids(postgresql.engine)
    assert ids == catalog.custom_field_ids(sqlite.engine)
    assert ids and ids == sorted(set(ids))
    assert all(
        field.startswith("customfield_") for field in ids
    )  # the demo's raw fields hold those


def test_projects_filters_and_sprints_read_alike(stores: tuple[IssueStore, IssueStore]) -> None:
    sqlite, postgresql = stores
    for read in (catalog.projects, catalog.saved_filters, catalog.sprints):
        assert read(postgresql.engine) == read(sqlite.engine), read.__name__
        assert read(postgresql.engine), f"{read.__name__}: the demo data has some"
