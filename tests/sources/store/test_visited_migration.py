"""Migration 0016 on a store built at 0015 with issues in it: every issue's
`visited_statuses` is what the store's writer computes for the same issues in a store
created at the head (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.issues import History
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item
from tests.sources.store.postgresql import temporary_postgresql


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        with temporary_postgresql() as postgresql:
            yield postgresql


def _fresh_store(path: Path) -> sa.Engine:
    """A store at the head holding demo issues and a few edge cases the demo lacks."""
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.create_db_engine(url)
    store = IssueStore(engine)
    write_demo(store, 150)
    edges = [
        make_issue(900_001, "EDGE", histories=()),  # never changed: its current status only
        make_issue(  # back and forth, through a status it does not hold now
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


def _copy_at_0015(fresh: sa.Engine, old: sa.Engine) -> None:
    """Every row of the fresh store into the 0015 store, in the columns 0015 has."""
    target = sa.MetaData()
    target.reflect(old)
    with fresh.connect() as source, old.begin() as destination:
        for table in db.metadata.sorted_tables:
            if table.name not in target.tables:
                continue
            old_table = target.tables[table.name]
            names = [c.name for c in table.columns if c.name in old_table.columns]
            rows = [
                dict(row)
                for row in source.execute(sa.select(*(table.c[n] for n in names))).mappings()
            ]
            if rows:
                destination.execute(old_table.insert(), rows)


def _visited(engine: sa.Engine) -> dict[str, str | None]:
    query = sa.select(schema.issues.c.key, schema.issues.c.visited_statuses)
    with engine.connect() as connection:
        return dict(connection.execute(query).tuples().all())


def test_0016_fills_visited_statuses_as_a_fresh_store_computes_them(
    old_url: str, tmp_path: Path
) -> None:
    fresh = _fresh_store(tmp_path / "fresh.db")
    db.upgrade(old_url, "0015")
    old = db.create_db_engine(old_url)
    _copy_at_0015(fresh, old)
    with old.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("issues")}
    assert "visited_statuses" not in columns  # the store really is at 0015

    db.upgrade(old_url)

    expected = _visited(fresh)
    assert len(expected) == 152 and all(expected.values())
    assert expected["EDGE-900001"] == ",5,"
    assert expected["EDGE-900002"] == ",1,5,7,"
    assert _visited(old) == expected
    old.dispose()
    fresh.dispose()
