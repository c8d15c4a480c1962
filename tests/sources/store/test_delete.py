"""IssueStore.delete_issues: an issue gone from Jira leaves nothing behind, on its site
only (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.issues import History, SprintRef
from dwelltime.sources.jira.tables import jira_history_fields
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item
from tests.sources.store.postgresql import temporary_postgresql

OTHER_SITE = "https://other.atlassian.net"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IssueStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        db.upgrade(url)
        engine = db.create_db_engine(url)
        yield IssueStore(engine)
        engine.dispose()
    else:
        with temporary_postgresql() as url:
            db.upgrade(url)
            engine = db.create_db_engine(url)
            yield IssueStore(engine)
            engine.dispose()


def _count(store: IssueStore, table: sa.Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def _visited(store: IssueStore) -> dict[tuple[str, int], str | None]:
    issues = schema.issues
    query = sa.select(issues.c.site, issues.c.jira_id, issues.c.visited_statuses)
    with store.engine.connect() as connection:
        return {(row.site, row.jira_id): row.visited_statuses for row in connection.execute(query)}


def test_deleting_removes_the_issue_and_all_it_holds_on_its_site_only(store: IssueStore) -> None:
    sprint = SprintRef(3, "S3", "active", 1)
    # Issue 2 alone visits status 9, so the selection's status columns must lose it.
    odd = (History(29, T0 + DAY_MS, "u1", "Name u1", (status_item("1", "9"),)),)
    mine = [make_issue(1, sprints=(sprint,)), make_issue(2, histories=odd), make_issue(3)]
    store.write(StoreData(site=TEST_SITE, issues=mine))
    # The same Jira ids on another site are other issues.
    theirs = [make_issue(1, sprints=(sprint,)), make_issue(2)]
    store.write(StoreData(site=OTHER_SITE, issues=theirs))
    with store.engine.begin() as connection:
        connection.execute(
            jira_history_fields.insert(),
            [
                {"site": site, "jira_id": jira_id, "fields": '["status"]'}
                for site in (TEST_SITE, OTHER_SITE)
                for jira_id in (1, 2)
            ],
        )
    before = _visited(store)

    deleted = store.delete_issues(TEST_SITE, [1, 2, 404], also=[jira_history_fields])

    assert deleted == 2  # 404 was never stored
    left = _visited(store)
    assert sorted(left) == [(OTHER_SITE, 1), (OTHER_SITE, 2), (TEST_SITE, 3)]
    assert all(left[key] == before[key] for key in left)
    assert ",9," not in "".join(text or "" for text in left.values())
    with store.engine.connect() as connection:
        marks = connection.execute(
            sa.select(jira_history_fields.c.site, jira_history_fields.c.jira_id)
        ).all()
        linked = connection.execute(sa.select(schema.issue_sprints.c.issue_id)).scalars().all()
        rows = dict(
            connection.execute(
                sa.select(schema.issues.c.id, schema.issues.c.site).where(
                    schema.issues.c.jira_id == 1
                )
            ).all()
        )
    assert sorted(marks) == [(OTHER_SITE, 1), (OTHER_SITE, 2)]
    assert [rows[row] for row in linked] == [OTHER_SITE]  # only the other site's link stays
    # Issues 3 (here) and 1, 2 (there) keep their two histories and four change items each.
    assert _count(store, schema.histories) == 3 * 2
    assert _count(store, schema.change_items) == 3 * 4
    assert store.stats().issues == 3


def test_deleting_nothing_changes_nothing(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    assert store.delete_issues(TEST_SITE, []) == 0
    assert store.delete_issues(OTHER_SITE, [1]) == 0
    assert store.stats().issues == 1
