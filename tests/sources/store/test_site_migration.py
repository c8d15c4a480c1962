"""Migration 0003 on a store written before sites: nothing lost, and the issues are
claimed by the first import that brings the same id and key (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.sites import LEGACY_SITE
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.issue_factory import TEST_SITE, jira_issue

_OLD_ISSUE = (
    "INSERT INTO issues (id, key, project_key, summary, created_ms) VALUES "
    "(7, 'AB-7', 'AB', 'old', 1), (8, 'AB-8', 'AB', 'old', 1)"
)
_OLD_HISTORY = "INSERT INTO histories (issue_id, id, created_ms) VALUES (7, 70, 2), (8, 80, 2)"


def test_old_store_keeps_everything_and_is_claimed(store_url: str, tmp_path: Path) -> None:
    db.upgrade(store_url, "0002")
    engine = db.create_db_engine(store_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(_OLD_ISSUE)
        connection.exec_driver_sql(_OLD_HISTORY)
    db.upgrade(store_url)
    issues = schema.issues
    query = sa.select(issues.c.id, issues.c.site, issues.c.jira_id, issues.c.key).order_by(
        issues.c.id
    )
    with engine.connect() as connection:
        assert connection.execute(query).all() == [
            (7, LEGACY_SITE, 7, "AB-7"),
            (8, LEGACY_SITE, 8, "AB-8"),
        ]
        assert connection.scalar(sa.select(sa.func.count()).select_from(schema.histories)) == 2
    # Same id and key: claimed (its histories replaced); same id, other key: a new issue.
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([jira_issue(7, "AB-7"), jira_issue(8, "ZZ-8")]), encoding="utf-8")
    [result] = import_files(IssueStore(engine), [path])
    assert result.error is None
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        histories = connection.execute(
            sa.select(schema.histories.c.issue_id, schema.histories.c.id).order_by(
                schema.histories.c.issue_id, schema.histories.c.id
            )
        ).all()
    assert rows[:2] == [(7, TEST_SITE, 7, "AB-7"), (8, LEGACY_SITE, 8, "AB-8")]
    assert rows[2][1:] == (TEST_SITE, 8, "ZZ-8") and rows[2][0] > 8
    assert histories == [(7, 70), (8, 80), (rows[2][0], 80)]
    # Deleting an issue still takes its histories with it (the foreign keys survived).
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.execute(sa.delete(issues).where(issues.c.id == 8))
        left = connection.execute(sa.select(schema.histories.c.issue_id)).scalars().all()
    assert sorted(left) == [7, rows[2][0]]
    engine.dispose()
