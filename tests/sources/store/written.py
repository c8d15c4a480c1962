"""A migrated store at a test's database URL (`store_url`) holding the data a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dwelltime import db
from dwelltime.domain.issues import Status
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue


@contextmanager
def written_store(url: str, data: StoreData) -> Iterator[IssueStore]:
    """The store at `url`, upgraded to the head and holding `data`, disposed of after."""
    engine = db.create_db_engine(url)
    db.upgrade(url, engine=engine)
    store = IssueStore(engine)
    store.write(data)
    try:
        yield store
    finally:
        engine.dispose()


def four_issues() -> StoreData:
    """Issues 1–3 in project AB and 4 in CD, created a day apart, on Open/Done."""
    return StoreData(
        site=TEST_SITE,
        issues=[
            make_issue(i, "AB" if i < 4 else "CD", created_ms=T0 + i * DAY_MS) for i in (1, 2, 3, 4)
        ],
        statuses=[Status("1", "Open", "new"), Status("5", "Done", "done")],
    )
