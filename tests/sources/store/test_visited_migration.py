"""Migration 0016 on a store built at 0015 with issues in it: every issue's
`visited_statuses` is what the store's writer computes for the same issues in a store
created at the head (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from tests.sources.store.old_stores import FRESH_ISSUES, upgraded_column


def test_0016_fills_visited_statuses_as_a_fresh_store_computes_them(
    store_url: str, tmp_path: Path
) -> None:
    migrated, expected = upgraded_column(store_url, tmp_path, "0015", "visited_statuses")

    assert len(expected) == FRESH_ISSUES and all(expected.values())
    assert expected["EDGE-900001"] == ",5,"  # never changed: its current status only
    assert expected["EDGE-900002"] == ",1,5,7,"  # through 7, which it does not hold now
    assert migrated == expected
