"""IssueStore.write: upserts, newest copy wins, merges, one transaction; small reads."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.domain.issues import History, SprintRef, Status, User
from dwelltime.errors import NotFound, SourceError
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import ChangelogPart, IssueStore, StoreData, WriteCounts
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item
from tests.sources.store.store_dump import dump_store


@pytest.fixture
def store(settings: Settings) -> IssueStore:
    return IssueStore.open(settings)


def _history_ids(store: IssueStore) -> list[int]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(schema.histories.c.id).order_by(schema.histories.c.id)
            ).scalars()
        )


def _summary(store: IssueStore) -> str | None:
    with store.engine.connect() as connection:
        return connection.scalar(sa.select(schema.issues.c.summary))


def test_counts_and_emptiness(store: IssueStore) -> None:
    assert store.is_empty()
    counts = store.write(StoreData(site=TEST_SITE, issues=[make_issue(1), make_issue(2)]))
    assert counts == WriteCounts(issues=2, histories=4, status_changes=4)
    assert not store.is_empty()
    stats = store.stats()
    assert (stats.issues, stats.histories, stats.change_items, stats.status_changes) == (2, 4, 8, 4)


@pytest.mark.parametrize(
    "newer_first", [pytest.param(True, id="newer-first"), pytest.param(False, id="older-first")]
)
def test_newer_copy_wins(store: IssueStore, newer_first: bool) -> None:
    old = make_issue(1, updated_ms=T0 + DAY_MS)
    new = make_issue(1, updated_ms=T0 + 2 * DAY_MS, histories=(History(99, T0, None, None, ()),))
    new = replace(new, summary="newer")
    for copy in (new, old) if newer_first else (old, new):
        store.write(StoreData(site=TEST_SITE, issues=[copy]))
    assert _summary(store) == "newer"
    assert _history_ids(store) == [99]


def test_newest_of_duplicates_in_one_write(store: IssueStore) -> None:
    old = make_issue(1, updated_ms=T0 + DAY_MS)
    new = make_issue(1, updated_ms=T0 + 2 * DAY_MS, histories=())
    counts = store.write(StoreData(site=TEST_SITE, issues=[new, old]))
    assert (counts.issues, counts.skipped, counts.histories) == (1, 1, 0)
    assert _history_ids(store) == []


def test_rewrite_replaces_histories_wholesale(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    store.write(
        StoreData(
            site=TEST_SITE, issues=[make_issue(1, histories=(History(5, T0, None, None, ()),))]
        )
    )
    assert _history_ids(store) == [5]


def test_partial_issue_and_changelog_merge_by_history_id(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))  # histories 10 and 11
    replaced = History(11, T0 + 5 * DAY_MS, None, None, (status_item("3", "4"),))
    partial = make_issue(1, histories=(replaced,))
    store.write(StoreData(site=TEST_SITE, issues=[partial], partial_issue_ids=frozenset({1})))
    extra = History(12, T0 + 6 * DAY_MS, None, None, ())
    store.write(StoreData(site=TEST_SITE, changelogs=[ChangelogPart(1, (extra, replaced))]))
    assert _history_ids(store) == [10, 11, 12]
    assert store.stats().status_changes == 2


def test_changelog_for_unknown_issue_stores_nothing(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    before = dump_store(store.engine)
    data = StoreData(
        site=TEST_SITE,
        statuses=[Status("9", "New status")],
        changelogs=[ChangelogPart(404, (History(1, T0, None, None, ()),))],
    )
    with pytest.raises(NotFound, match="404"):
        store.write(data)
    assert dump_store(store.engine) == before


def test_key_taken_by_another_issue_is_a_clear_error(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    clash = replace(make_issue(2), key="AB-1")
    with pytest.raises(SourceError, match="AB-1 is issue 1 in the store but issue 2 here"):
        store.write(StoreData(site=TEST_SITE, issues=[clash]))


def test_the_sites_own_answer_moves_an_issue_to_its_new_key(store: IssueStore) -> None:
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    moved = replace(make_issue(1, "CD", updated_ms=T0 + 9 * DAY_MS), summary="moved")
    with pytest.raises(SourceError, match="issue 1 is AB-1 in the store but CD-1 here"):
        store.write(StoreData(site=TEST_SITE, issues=[moved]))  # a file: refused
    store.write(StoreData(site=TEST_SITE, issues=[moved], from_site=True))
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.issues.c.key, schema.issues.c.summary)).all()
    assert [tuple(row) for row in rows] == [("CD-1", "moved")]
    assert _history_ids(store) == [10, 11]


def test_catalog_upsert(store: IssueStore) -> None:
    store.write(
        StoreData(site=TEST_SITE, users=[User("u1", "Old")], statuses=[Status("1", "Open")])
    )
    store.write(
        StoreData(
            site=TEST_SITE, users=[User("u1", "New", "n@x")], statuses=[Status("1", "Open", "new")]
        )
    )
    with store.engine.connect() as connection:
        assert list(connection.execute(sa.select(schema.users))) == [("u1", "New", "n@x")]
        # The second write renames in place: the status keeps its catalog position.
        assert list(connection.execute(sa.select(schema.statuses))) == [("1", "Open", "new", 1)]


def test_param_set(store: IssueStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            schema.param_sets.insert(),
            [
                {"id": "p1", "name": "Mine", "params": json.dumps({"statuses": ["1", "3"]})},
                {"id": "p2", "name": "Bad", "params": json.dumps({"statuses": "1"})},
            ],
        )
    saved = store.param_set("p1")
    assert saved is not None and saved.params == {"statuses": ["1", "3"]}
    assert store.param_set("nope") is None
    with pytest.raises(SourceError, match="p2"):
        store.param_set("p2")


def test_older_copy_does_not_roll_back_its_sprint(store: IssueStore) -> None:
    closed = SprintRef(3, "S3", "closed", 1)
    store.write(
        StoreData(
            site=TEST_SITE, issues=[make_issue(1, updated_ms=T0 + 2 * DAY_MS, sprints=(closed,))]
        )
    )
    active = replace(closed, state="active")
    store.write(
        StoreData(site=TEST_SITE, issues=[make_issue(1, updated_ms=T0 + DAY_MS, sprints=(active,))])
    )
    with store.engine.connect() as connection:
        assert connection.scalar(sa.select(schema.sprints.c.state)) == "closed"
