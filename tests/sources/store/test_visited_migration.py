"""Migration 0016 on a store built at 0015 with issues in it: every issue's
`visited_statuses` is what the store's writer computes for the same issues in a store
created at the head (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.sources.store import schema
from tests.sources.store.old_stores import FRESH_ISSUES, fresh_store, store_at


def _visited(engine: sa.Engine) -> dict[str, str | None]:
    query = sa.select(schema.issues.c.key, schema.issues.c.visited_statuses)
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


def test_0016_fills_visited_statuses_as_a_fresh_store_computes_them(
    store_url: str, tmp_path: Path
) -> None:
    fresh = fresh_store(tmp_path / "fresh.db")
    old = store_at("0015", store_url, fresh)
    with old.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("issues")}
    assert "visited_statuses" not in columns  # the store really is at 0015

    db.upgrade(store_url)

    expected = _visited(fresh)
    assert len(expected) == FRESH_ISSUES and all(expected.values())
    assert expected["EDGE-900001"] == ",5,"  # never changed: its current status only
    assert expected["EDGE-900002"] == ",1,5,7,"  # through 7, which it does not hold now
    assert _visited(old) == expected
    old.dispose()
    fresh.dispose()
