"""Migration 0029 on a store built at 0028 with issues in it: every issue's
`visited_transitions` is what the store's writer computes for the same issues in a store
created at the head (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.sources.store import schema
from tests.sources.store.old_stores import FRESH_ISSUES, fresh_store, store_at


def _transitions(engine: sa.Engine) -> dict[str, str | None]:
    query = sa.select(schema.issues.c.key, schema.issues.c.visited_transitions)
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


def test_0029_fills_visited_transitions_as_a_fresh_store_computes_them(
    store_url: str, tmp_path: Path
) -> None:
    fresh = fresh_store(tmp_path / "fresh.db")
    old = store_at("0028", store_url, fresh)
    with old.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("issues")}
    assert "visited_transitions" not in columns  # the store really is at 0028

    db.upgrade(store_url)

    expected = _transitions(fresh)
    assert len(expected) == FRESH_ISSUES
    assert sum(text != ",," for text in expected.values() if text) > FRESH_ISSUES // 2
    assert expected["EDGE-900001"] == ",,"  # never changed: no transition
    assert expected["EDGE-900002"] == ",1>5,1>7,7>1,"  # 1 → 7 → 1 → 5
    assert _transitions(old) == expected
    old.dispose()
    fresh.dispose()
