"""The store generation (migration 0027) and the selection facts kept under it: every
write moves it, a write by another process is seen at once, and what the cache answers
is what the database answers (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.issues import History
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import generation, schema
from dwelltime.sources.store.filters import count_where, selection_where
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
from dwelltime.sources.store.visited import status_frame
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item
from tests.sources.store.written import four_issues, written_store

REPO = Path(__file__).resolve().parents[3]
SELECTIONS = [
    Selection("project", "AB"),
    Selection("customjql", "created is not empty"),
    Selection("customjql", "created >= -2d", now_ms=T0 + 3 * DAY_MS),
    Selection("customjql", "created >= -2d", now_ms=T0 + 9 * DAY_MS),
    Selection("user", "u1"),
    Selection("project", "AB", site=TEST_SITE),
    Selection("project", "AB", site="https://elsewhere.atlassian.net"),
]
#: A write from another process: one more AB issue, which visits a status new to the store.
_OTHER_PROCESS = """
import sys
from dwelltime import db
from dwelltime.domain.issues import History, Status
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import T0, TEST_SITE, make_issue, status_item

engine = db.create_db_engine(sys.argv[1])
moved = History(90, T0, "u1", "Name u1", (status_item("1", "8"),))
issue = make_issue(9, "AB", histories=(moved,))
IssueStore(engine).write(
    StoreData(site=TEST_SITE, issues=[issue], statuses=[Status("8", "Later", "new")])
)
engine.dispose()
"""


@pytest.fixture
def store(store_url: str) -> Iterator[IssueStore]:
    with written_store(store_url, four_issues()) as store:
        yield store


def _generation(store: IssueStore) -> int:
    with store.engine.connect() as connection:
        return generation.current(connection)


def _fresh(store: IssueStore, selection: Selection) -> tuple[int, pl.DataFrame]:
    """The selection's count and visited statuses read from the database, no cache."""
    with store.engine.connect() as connection:
        where = selection_where(connection, selection)
        packed = sa.select(schema.issues.c.visited_statuses).where(where).distinct()
        texts = connection.execute(packed).scalars().all()
        return count_where(connection, where), status_frame(connection, where, texts, True)


def _remembered(source: LocalSource, selection: Selection) -> tuple[int, pl.DataFrame]:
    """What a page asks: the whole selection's count (after its window) and columns."""
    source.count(Selection("project", "ZZ"))  # resolve something else, as a page's window
    return source.count(selection), source.visited_statuses(selection, deleted=True)


def test_every_write_of_issue_data_moves_the_generation(store: IssueStore) -> None:
    before = _generation(store)
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(5)]))
    assert _generation(store) == before + 1
    assert store.delete_issues(TEST_SITE, [5]) == 1
    assert _generation(store) == before + 2


def test_remembered_facts_are_the_databases_and_are_not_read_twice(
    store: IssueStore,
) -> None:
    """Warm or cold, the count and columns are the database's own, for every selection
    (relative dates at two `now`s, another site's); a second ask reads only the generation."""
    source = LocalSource(store)
    for selection in SELECTIONS:
        count, visited = _fresh(store, selection)
        for _ in range(2):
            warm_count, warm_visited = _remembered(source, selection)
            assert warm_count == count
            assert warm_visited.equals(visited)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for selection in SELECTIONS:
        source.count(selection)
        source.visited_statuses(selection, deleted=True)
    assert not [s for s in statements if "count(" in s.lower() or "DISTINCT" in s]


def test_a_write_by_another_process_is_seen_at_once(store: IssueStore, store_url: str) -> None:
    """An import in another process moves the generation the cache is checked against."""
    source = LocalSource(store)
    project = Selection("project", "AB")
    count, visited = _remembered(source, project)
    assert (count, sorted(set(visited["id"]))) == (3, ["1", "3", "5"])
    subprocess.run([sys.executable, "-c", _OTHER_PROCESS, store_url], cwd=REPO, check=True)
    count, visited = _remembered(source, project)
    assert (count, sorted(set(visited["id"]))) == (4, ["1", "3", "5", "8"])
    fresh_count, fresh_visited = _fresh(store, project)
    assert fresh_count == count
    assert fresh_visited.equals(visited)


def test_a_write_through_another_connection_is_seen_at_once(store: IssueStore) -> None:
    """Two stores on one database (two servers, or a CLI import beside one)."""
    other = IssueStore(db.create_db_engine(store.engine.url.render_as_string(False)))
    source = LocalSource(store)
    project = Selection("project", "AB")
    assert _remembered(source, project)[0] == 3
    moved = History(70, T0, "u1", "Name u1", (status_item("1", "5"),))
    other.write(StoreData(site=TEST_SITE, issues=[make_issue(7, "AB", histories=(moved,))]))
    assert _remembered(source, project)[0] == 4
    other.delete_issues(TEST_SITE, [7, 1])
    assert _remembered(source, project)[0] == 2
    other.engine.dispose()


def test_the_migration_starts_the_generation_on_an_older_store(store_url: str) -> None:
    db.upgrade(store_url, "0020")  # the revision before 0027
    engine = db.create_db_engine(store_url)
    db.upgrade(store_url, engine=engine)
    store = IssueStore(engine)
    assert _generation(store) == 0
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1)]))
    assert _generation(store) == 1
    engine.dispose()
