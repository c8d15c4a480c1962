"""Stores at an older revision holding real-looking issues, for the migration tests: a
store written at the head by today's writer, copied into a database built at the old
revision (the columns that revision has), so the migration meets data like its users'."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.issues import History
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item

#: Issues in `fresh_store`: demo issues and the edge cases below.
DEMO_ISSUES = 150
FRESH_ISSUES = DEMO_ISSUES + 2


def fresh_store(path: Path) -> sa.Engine:
    """A SQLite store at the head holding demo issues and two edge cases the demo lacks:
    an issue never changed, and one that went back and forth through a status."""
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.create_db_engine(url)
    store = IssueStore(engine)
    write_demo(store, DEMO_ISSUES)
    edges = [
        make_issue(900_001, "EDGE", histories=()),
        make_issue(
            900_002,
            "EDGE",
            histories=(
                History(90_000_201, T0 + DAY_MS, None, None, (status_item("1", "7"),)),
                History(90_000_202, T0 + 2 * DAY_MS, None, None, (status_item("7", "1"),)),
                History(90_000_203, T0 + 3 * DAY_MS, None, None, (status_item("1", "5"),)),
            ),
        ),
    ]
    store.write(StoreData(site=TEST_SITE, issues=edges))
    return engine


def store_at(revision: str, url: str, fresh: sa.Engine) -> sa.Engine:
    """The database at `url` built at `revision`, holding every row of `fresh` in the
    columns `revision` has."""
    db.upgrade(url, revision)
    old = db.create_db_engine(url)
    copy_rows(fresh, old)
    return old


def copy_rows(fresh: sa.Engine, old: sa.Engine) -> None:
    """Every row of `fresh` (a store at the head) into `old` (one at an older revision),
    in the columns `old` has: what that revision's writer would have stored."""
    with fresh.connect() as source, old.begin() as destination:
        inspector = sa.inspect(destination)
        present = set(inspector.get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name not in present:
                continue
            held = {column["name"] for column in inspector.get_columns(table.name)}
            query = sa.select(*(column for column in table.columns if column.name in held))
            rows = [dict(row) for row in source.execute(query).mappings()]
            if rows:  # an insert of the keys given: the columns `revision` has
                # Rows the revision's own migrations seeded (the store generation's) give
                # way to the fresh store's.
                destination.execute(sa.delete(table))
                destination.execute(sa.insert(table), rows)


#: An issue's key -> the text one of its columns holds.
ColumnByKey = dict[str, str | None]


def upgraded_column(
    store_url: str, folder: Path, before: str, column: str
) -> tuple[ColumnByKey, ColumnByKey]:
    """`column` of the issues of `fresh_store`, as the migrations fill it and as the writer
    does: first of the store at `store_url` built at `before` (which lacks the column)
    and upgraded to the head, then of the fresh store created at the head."""
    fresh = fresh_store(folder / "fresh.db")
    old = store_at(before, store_url, fresh)
    with old.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("issues")}
    assert column not in columns  # the store really is at `before`

    db.upgrade(store_url)

    query = sa.select(schema.issues.c.key, schema.issues.c[column])
    values = []
    for engine in (old, fresh):
        with engine.connect() as connection:
            values.append(dict(connection.execute(query).all()))
        engine.dispose()
    return values[0], values[1]
