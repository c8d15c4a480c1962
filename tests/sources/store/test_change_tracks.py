"""Change tracks: what reports read from them equals the change items joined to their
histories, after whole writes, merged changelogs and migration 0021 (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.issue_batch import CHANGE_COLUMNS
from dwelltime.domain.issues import ChangeItem, History, Issue
from dwelltime.domain.selection import Selection
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.changes import read_changes
from dwelltime.sources.store.data import ChangelogPart
from dwelltime.sources.store.filters import selection_ids
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import T0, TEST_SITE, make_issue, status_item

#: The row read the tracks replace: every change item joined to its history.
_ROWS = """
SELECT ci.issue_id, ci.history_id, h.created_ms, ci.field_id, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
"""
_FIELDS = ("status", "assignee", "labels", "Ünïcode")


def _rows(engine: sa.Engine, fields: tuple[str, ...] = _FIELDS) -> pl.DataFrame:
    with engine.connect() as connection:
        found = connection.exec_driver_sql(_ROWS).all()
    frame = pl.DataFrame([tuple(row) for row in found], schema=CHANGE_COLUMNS, orient="row")
    return _sorted(frame.filter(pl.col("field_id").is_in(fields)))


def _tracks(engine: sa.Engine, fields: tuple[str, ...] = _FIELDS) -> pl.DataFrame:
    with engine.connect() as connection:
        ids = connection.execute(sa.select(schema.issues.c.id)).scalars().all()
        return _sorted(read_changes(connection, ids, fields))


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


_texts = st.one_of(st.none(), st.text(max_size=5))
_items = st.builds(
    ChangeItem,
    field=st.sampled_from(_FIELDS),
    field_id=st.sampled_from((*_FIELDS, None)),
    field_type=st.just("jira"),
    from_value=_texts,
    from_string=_texts,
    to_value=_texts,
    to_string=_texts,
)
_histories = st.lists(
    st.tuples(st.integers(0, 5), st.one_of(st.none(), st.text(max_size=4)), st.lists(_items)),
    max_size=5,
)


def _issue(issue_id: int, drawn: list[tuple[int, str | None, list[ChangeItem]]]) -> Issue:
    histories = tuple(
        History(issue_id * 10 + h, T0 + h * 1000, "a", author, tuple(items))
        for h, author, items in drawn
    )
    return make_issue(issue_id, histories=histories)


@settings(max_examples=25, deadline=None)
@given(whole=st.lists(_histories, min_size=1, max_size=4), merged=st.lists(_histories))
def test_tracks_read_as_the_rows_after_writes_and_merges(
    tmp_path_factory: pytest.TempPathFactory,
    whole: list[list[tuple[int, str | None, list[ChangeItem]]]],
    merged: list[list[tuple[int, str | None, list[ChangeItem]]]],
) -> None:
    store = IssueStore.open(Settings(home=tmp_path_factory.mktemp("tracks")))
    issues = [_issue(number + 1, drawn) for number, drawn in enumerate(whole)]
    store.write(StoreData(site=TEST_SITE, issues=issues))
    parts = [
        ChangelogPart(issues[n % len(issues)].id, _issue(0, drawn).histories)
        for n, drawn in enumerate(merged)
    ]
    store.write(StoreData(site=TEST_SITE, changelogs=parts))
    # Written again whole: the merged tracks are replaced, not added to.
    store.write(StoreData(site=TEST_SITE, issues=issues[:1]))
    assert _tracks(store.engine).equals(_rows(store.engine))
    store.engine.dispose()


def test_tracks_read_as_the_rows_on_both_databases(store_url: str) -> None:
    db.upgrade(store_url)
    store = IssueStore(db.create_db_engine(store_url))
    moved = History(99, T0 + 9_000, "u1", None, (status_item("5", "7"),))
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(1), make_issue(2)]))
    store.write(StoreData(site=TEST_SITE, changelogs=[ChangelogPart(2, (moved,))]))
    tracks, rows = _tracks(store.engine), _rows(store.engine)
    with store.engine.connect() as connection:
        nameless = read_changes(connection, [1, 2], _FIELDS, authors=False)
        none = read_changes(connection, [1, 2], ("nothing",))
    store.engine.dispose()
    assert rows.height == 9 and tracks.equals(rows)
    without = rows.with_columns(pl.lit(None, pl.Utf8).alias("author"))
    assert _sorted(nameless).equals(_sorted(without))
    assert none.height == 0 and none.schema == rows.schema


@pytest.mark.parametrize(
    "ids",
    [[1, 2, 3, 4, 5, 6], [4, 2, 6, 1, 5, 3], [2, 3, 4], [1, 3, 6], [5], [2, 2, 3]],
    ids=["dense", "dense shuffled", "dense inside", "gaps", "one", "repeated"],
)
def test_any_ids_read_their_own_tracks(store_url: str, ids: list[int]) -> None:
    """Ids that are a whole key range are read as one range (`dense_ids`), the others
    as lists: either way exactly the tracks of those ids."""
    db.upgrade(store_url)
    store = IssueStore(db.create_db_engine(store_url))
    store.write(StoreData(site=TEST_SITE, issues=[make_issue(n) for n in range(1, 8)]))
    with store.engine.connect() as connection:
        row_ids = connection.execute(sa.select(schema.issues.c.id)).scalars().all()
        tracks = _sorted(read_changes(connection, [sorted(row_ids)[n - 1] for n in ids], _FIELDS))
    rows = _rows(store.engine)
    store.engine.dispose()
    wanted = [sorted(row_ids)[n - 1] for n in set(ids)]
    assert rows.height > tracks.height > 0
    assert tracks.equals(rows.filter(pl.col("issue_id").is_in(wanted)))


def test_a_text_longer_than_an_index_entry_is_stored_once(store_url: str) -> None:
    """A description's change can hold tens of kilobytes: `track_texts` is keyed by the
    text's digest, which PostgreSQL can index whatever the text's length."""
    db.upgrade(store_url)
    store = IssueStore(db.create_db_engine(store_url))
    long = "Ünïcode description " * 2_000
    item = ChangeItem("description", "description", "jira", None, long, None, long + "!")
    histories = (History(10, T0 + 1_000, "a", "Zoë", (item,)),)
    issues = [make_issue(1, histories=histories), make_issue(2, histories=histories)]
    store.write(StoreData(site=TEST_SITE, issues=issues))
    fields = ("description",)
    tracks, rows = _tracks(store.engine, fields), _rows(store.engine, fields)
    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(schema.track_texts.c.text)).scalars().all()
    store.engine.dispose()
    assert rows.height == 2 and tracks.equals(rows)
    assert sorted(stored) == sorted([long, long + "!", "Zoë"])


def test_tracks_of_real_issues_read_as_the_rows(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    list(import_files(store, [jira_samples / "devlake" / "search.json"]))
    fields = ("status", "assignee", "customfield_10020", "Workflow", "resolution")
    with store.engine.connect() as connection:
        ids = selection_ids(connection, Selection("project", "EE"))
        tracks = _sorted(read_changes(connection, ids, fields))
    assert tracks.height > 165
    assert tracks.equals(_rows(store.engine, fields))


def test_migration_packs_the_tracks_the_writer_would(store_url: str, tmp_path: Path) -> None:
    """A store at 0019 (change items, no tracks) upgraded through 0021 (texts inline) and
    0028 (texts coded): the same tracks and texts, byte for byte, as the writer packs for
    the same issues, and reads equal to the rows."""
    issues = [
        make_issue(1),
        make_issue(2, histories=()),
        _issue(3, [(0, "Zoë", [ChangeItem("Ünïcode", None, None, "ä", "", None, "€")])]),
    ]
    fresh = IssueStore.open(Settings(home=tmp_path / "fresh"))
    fresh.write(StoreData(site=TEST_SITE, issues=issues))
    db.upgrade(store_url, "0019")
    engine = db.create_db_engine(store_url)
    with fresh.engine.connect() as source, engine.begin() as target:
        inspector = sa.inspect(target)
        for table in (schema.issues, schema.histories, schema.change_items):
            # The columns 0019 has (later revisions add some to `issues`).
            held = {column["name"] for column in inspector.get_columns(table.name)}
            query = sa.select(*(column for column in table.columns if column.name in held))
            rows = [row._asdict() for row in source.execute(query)]
            target.execute(sa.insert(table), rows)
    db.upgrade(store_url)
    tracks = sa.select(schema.change_tracks).order_by(
        schema.change_tracks.c.issue_id, schema.change_tracks.c.field_id
    )
    texts = sa.select(schema.track_texts).order_by(schema.track_texts.c.id)
    with fresh.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(tracks)]
        expected_texts = [tuple(row) for row in connection.execute(texts)]
    with engine.connect() as connection:
        migrated = [tuple(row) for row in connection.execute(tracks)]
        migrated_texts = [tuple(row) for row in connection.execute(texts)]
    assert len(expected) == 4 and len(expected_texts) > 5
    assert migrated == expected
    assert migrated_texts == expected_texts
    assert _tracks(engine).equals(_rows(engine))
    engine.dispose()
    fresh.engine.dispose()
