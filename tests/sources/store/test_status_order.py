"""The status catalog keeps the order it was imported in (Jira's /status order) on both
engines, so reports list their status columns alike from SQLite and PostgreSQL; later
imports keep known statuses in place and put new ones last; migration 0025 numbers an
older store's catalog in the order it was read before."""

from __future__ import annotations

from pathlib import Path

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.issues import Status
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource

#: Neither in id order nor in name order, as Jira's /status answers.
JIRA_ORDER = [
    Status("10002", "Review", "indeterminate"),
    Status("3", "In Progress", "indeterminate"),
    Status("10001", "To Do", "new"),
    Status("6", "Closed", "done"),
]


def _ids(store: IssueStore) -> list[str]:
    return [status.id for status in LocalSource(store).statuses()]


def test_the_catalog_reads_back_in_jiras_order(store_url: str, tmp_path: Path) -> None:
    store = IssueStore.open(Settings(home=tmp_path / "home", database_url=store_url))
    store.write(StoreData(statuses=JIRA_ORDER))
    assert _ids(store) == ["10002", "3", "10001", "6"]
    # Known statuses keep their place (a rename included); a new one comes last.
    renamed = Status("3", "Doing", "indeterminate")
    store.write(StoreData(statuses=[Status("4", "Reopened", "new"), renamed, JIRA_ORDER[0]]))
    assert _ids(store) == ["10002", "3", "10001", "6", "4"]
    assert LocalSource(store).statuses()[1] == renamed
    store.engine.dispose()


def test_migration_0025_keeps_the_order_statuses_were_read_in(store_url: str) -> None:
    db.upgrade(store_url, "0022")
    engine = db.create_db_engine(store_url)
    with engine.begin() as connection:
        for status in JIRA_ORDER:
            connection.exec_driver_sql(
                "INSERT INTO statuses (id, name, category) VALUES (%s, %s, %s)"
                if connection.dialect.name == "postgresql"
                else "INSERT INTO statuses (id, name, category) VALUES (?, ?, ?)",
                (status.id, status.name, status.category),
            )
    db.upgrade(store_url)
    store = IssueStore(engine)
    # SQLite read its catalog in rowid (insertion) order, PostgreSQL by id: each keeps its own.
    before = (
        ["10002", "3", "10001", "6"]
        if engine.dialect.name == "sqlite"
        else sorted(status.id for status in JIRA_ORDER)
    )
    assert _ids(store) == before
    store.write(StoreData(statuses=[Status("7", "Blocked", "indeterminate")]))
    assert _ids(store) == [*before, "7"]
    engine.dispose()
