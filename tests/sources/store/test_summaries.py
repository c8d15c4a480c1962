"""Selection summaries (migration 0036): what a page reads after a write, or in a new
process, is what the database holds, for every kind of write; selections whose issues
a write may change without naming them are never kept; a page never waits to keep one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import polars as pl
import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.issues import History, Status
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import generation, schema
from dwelltime.sources.store.data import ChangelogPart
from dwelltime.sources.store.filters import count_where, selection_where
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
from dwelltime.sources.store.summaries import MAX_SUMMARIES, keep
from dwelltime.sources.store.visited import status_frame, transition_frame
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item
from tests.sources.store.written import four_issues, written_store

#: Selections on the issue row alone: kept, and kept true by writes.
KEPT = [
    Selection("project", "AB"),
    Selection("customjql", "created is not empty"),
    Selection("customjql", 'key in (AB-1, CD-4) or summary ~ "issue"'),
    Selection("project", "AB", site=TEST_SITE),
]
#: Selections another table decides (change items, sprints, the status catalog).
NOT_KEPT = [
    Selection("user", "u1"),
    Selection("customjql", "status = Done"),
    Selection("customjql", "project = AB"),
]
#: A selection's count, visited statuses and transitions.
Facts = tuple[int, pl.DataFrame, pl.DataFrame]


@pytest.fixture
def store(store_url: str) -> Iterator[IssueStore]:
    with written_store(store_url, four_issues()) as store:
        yield store


def _fresh(store: IssueStore, selection: Selection) -> Facts:
    """Count, visited statuses and transitions read from the database, no summary."""
    issues = schema.issues
    with store.engine.connect() as connection:
        where = selection_where(connection, selection)

        def texts(column: sa.Column[str]) -> list[str | None]:
            query = sa.select(column).where(where).distinct()
            return list(connection.execute(query).scalars())

        statuses = status_frame(connection, where, texts(issues.c.visited_statuses), True)
        moves = transition_frame(texts(issues.c.visited_transitions))
        return count_where(connection, where), statuses, moves


def _asked(store: IssueStore, selection: Selection) -> Facts:
    """What a page asks of a store object that remembers nothing (a new process)."""
    source = LocalSource(IssueStore(store.engine))
    source.count(replace(selection, max_issues=1))  # a page's window, then its whole
    count = source.count(selection)
    return count, source.visited_statuses(selection, True), source.visited_transitions(selection)


def _same(asked: Facts, fresh: Facts) -> bool:
    return asked[0] == fresh[0] and asked[1].equals(fresh[1]) and asked[2].equals(fresh[2])


def _kept(store: IssueStore) -> list[str]:
    with store.engine.connect() as connection:
        query = sa.select(schema.selection_summaries.c.condition)
        return list(connection.execute(query).scalars())


def _scans(store: IssueStore, selections: list[Selection]) -> list[str]:
    """The statements that read whole selections' issue rows while `selections` are
    asked."""
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    for selection in selections:
        _asked(store, selection)
    sa.event.remove(store.engine, "before_cursor_execute", seen)
    # (A deleted status's names are read from its change items, summary or not.)
    aggregates = ("GROUP BY", "count(", "DISTINCT")
    return [s for s in statements if "change_items" not in s and any(a in s for a in aggregates)]


def _writes(store: IssueStore) -> Iterator[str]:
    """Every kind of write, one after another; yields what each did."""
    moved = History(70, T0, "u1", "Name u1", (status_item("1", "7"),))
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(7, "AB", histories=(moved,))]))
    yield "a new issue visiting a status the catalog lacks"
    later = T0 + 30 * DAY_MS
    store.write(
        StoreData(site=TEST_SITE, issues=[make_issue(2, "CD", updated_ms=later)], from_site=True)
    )
    yield "an issue moved to another project"
    back = History(80, T0 + 3 * DAY_MS, "u1", "Name u1", (status_item("5", "1"),))
    store.write(StoreData(site=TEST_SITE, changelogs=[ChangelogPart(1, (back,))]))
    yield "a changelog page merged into an issue"
    store.write(StoreData(site="https://elsewhere.atlassian.net", issues=[make_issue(1, "AB")]))
    yield "another site's issue with the same id"
    store.write(StoreData(statuses=[Status("7", "Review", "indeterminate")]))
    yield "a catalog alone"
    assert store.delete_issues(TEST_SITE, [3, 7]) == 2
    yield "issues deleted"
    other = IssueStore(db.create_db_engine(store.engine.url.render_as_string(False)))
    other.write(StoreData(site=TEST_SITE, issues=[make_issue(9, "AB", created_ms=T0)]))
    other.engine.dispose()
    yield "a write through another engine"


def test_a_kept_summary_stays_the_databases_through_every_kind_of_write(
    store: IssueStore,
) -> None:
    for selection in KEPT:
        assert _same(_asked(store, selection), _fresh(store, selection))
    assert len(_kept(store)) == 2 * len(KEPT)  # statuses and transitions of each
    for what in _writes(store):
        for selection in KEPT:
            assert _same(_asked(store, selection), _fresh(store, selection)), (what, selection)
        assert not _scans(store, KEPT), what  # read from the kept summaries


def test_selections_other_tables_decide_are_answered_but_never_kept(store: IssueStore) -> None:
    for selection in NOT_KEPT:
        assert _same(_asked(store, selection), _fresh(store, selection))
    assert _kept(store) == []
    for what in _writes(store):
        for selection in NOT_KEPT:
            assert _same(_asked(store, selection), _fresh(store, selection)), (what, selection)


def test_a_summary_of_another_generation_is_read_again(store: IssueStore) -> None:
    """A write that did not keep the summaries (a version before 0036) moves the
    generation only: the kept summary is not read, and the next write drops it."""
    project = Selection("project", "AB")
    _asked(store, project)
    with store.engine.begin() as connection:
        generation.bump(connection)
        connection.execute(sa.update(schema.issues).values(project_key="AB"))
    assert _scans(store, [project])  # read again, and kept again
    assert not _scans(store, [project])
    assert _asked(store, project)[0] == 4
    with store.engine.begin() as connection:
        generation.bump(connection)
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(5, "AB")]))
    assert _kept(store) == []


def test_a_page_does_not_wait_for_a_writer_to_keep_its_summary(store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL's NOWAIT is the same rule")
    engine = db.create_db_engine(store_url, busy_timeout_s=30)
    db.upgrade(store_url, engine=engine)
    store = IssueStore(engine)
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    blocker = db.create_db_engine(store_url)
    with blocker.connect() as writing:
        writing.exec_driver_sql("BEGIN IMMEDIATE")
        with engine.connect() as connection:
            at = generation.current(connection)
        keep(engine, "issues.id > 0", "statuses", at, Counter({",1,": 1}))
        writing.exec_driver_sql("ROLLBACK")
    assert _kept(store) == []
    with engine.connect() as connection:
        wait = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    assert wait == 30_000  # the connection's own wait is given back
    blocker.dispose()
    engine.dispose()


def test_a_store_keeps_at_most_its_limit_of_summaries(store: IssueStore) -> None:
    source = LocalSource(store)
    for day in range(MAX_SUMMARIES + 3):
        selection = Selection("customjql", f"created >= {day}d", now_ms=T0)
        source.visited_statuses(selection, False)
    assert len(_kept(store)) == MAX_SUMMARIES


def test_the_migration_adds_the_table_to_an_older_store(store_url: str) -> None:
    db.upgrade(store_url, "0030")  # the revision before 0036
    engine = db.create_db_engine(store_url)
    db.upgrade(store_url, engine=engine)
    store = IssueStore(engine)
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    project = Selection("project", "AB")
    assert _same(_asked(store, project), _fresh(store, project))
    assert _kept(store) == ["lower(issues.project_key) = 'ab'"] * 2
    engine.dispose()
