"""Migration 0020 on a store synced before listings were recorded: each synced selection
is taken as having listed every issue of its site, so the first sync after the upgrade
also finds the issues deleted before it (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.sources.jira.listed import UNKNOWN_ACCOUNT
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.sync import sync_site
from dwelltime.sources.jira.tables import jira_listed
from dwelltime.sources.jira_json.documents import parse_documents
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.writer import StoreWriter
from tests.sources.issue_factory import make_issue
from tests.sources.jira.conftest import alice
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import as_search_response
from tests.sources.store.old_stores import copy_rows

SITE = "https://acme.atlassian.net"
_SYNCED = (
    "INSERT INTO jira_syncs (site_url, jql, watermark_ms, synced_ms) VALUES "
    f"('{SITE}', 'project = AB', 5, 6), ('{SITE}', 'project = CD', 5, 6)"
)


def _write_old(engine: sa.Engine, folder: Path, *data: StoreData) -> None:
    """Issues written into a store at 0021: by today's writer into a store at the head,
    then copied in the columns 0021 has (later revisions add columns the writer fills),
    without histories (the listings this migration seeds depend on the issues alone)."""
    url = f"sqlite:///{folder / 'head.db'}"
    db.upgrade(url)
    fresh = db.create_db_engine(url)
    with fresh.begin() as connection:
        for one in data:
            StoreWriter(connection).write(
                replace(one, issues=[replace(issue, histories=()) for issue in one.issues])
            )
    copy_rows(fresh, engine)
    fresh.dispose()


def test_each_synced_selection_is_recorded_as_listing_its_whole_site(
    store_url: str, tmp_path: Path
) -> None:
    db.upgrade(store_url, "0021")  # the revision before 0020
    engine = db.create_db_engine(store_url)
    _write_old(
        engine,
        tmp_path,
        StoreData(site=SITE, issues=[make_issue(1), make_issue(2)]),
        StoreData(site="demo", issues=[make_issue(3)]),  # a site nobody synced
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(_SYNCED)
    db.upgrade(store_url)
    query = sa.select(jira_listed).order_by(jira_listed.c.jql, jira_listed.c.jira_id)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    engine.dispose()
    assert rows == [
        (SITE, jql, UNKNOWN_ACCOUNT, jira_id)
        for jql in ("project = AB", "project = CD")
        for jira_id in (1, 2)
    ]


def test_the_first_sync_after_the_upgrade_removes_what_was_deleted_before(
    fake: FakeJira, site_url: str, jira_settings: Settings, tmp_path: Path
) -> None:
    store_url = jira_settings.resolved_database_url
    db.upgrade(store_url, "0021")  # the revision before 0020
    engine = db.create_db_engine(store_url)
    parsed = parse_documents([as_search_response(fake.issues)])
    _write_old(engine, tmp_path, replace(parsed.data, site=site_url))
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO jira_syncs (site_url, jql, watermark_ms, synced_ms) "
                "VALUES (:site, 'project = ALPHA', 1, 1)"
            ),
            {"site": site_url},
        )
    engine.dispose()
    fake.delete("ALPHA-5")  # deleted while the store did not yet record listings

    store = IssueStore.open(jira_settings)
    outcome = sync_site(store, open_site(alice(site_url), jira_settings), "project = ALPHA")

    # BETA's issues were "listed" by the seed: asked by id, they are still in Jira.
    assert (outcome.listed, outcome.deleted, outcome.moved_out, outcome.fetched) == (14, 1, 15, 0)
    with store.engine.connect() as connection:
        keys = set(connection.execute(sa.select(schema.issues.c.key)).scalars())
    assert keys == {issue["key"] for issue in fake.issues}
