"""Migration 0029 on a store built at 0028 with issues in it: every issue's
`visited_transitions` is what the store's writer computes for the same issues in a store
created at the head (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from tests.sources.store.old_stores import FRESH_ISSUES, upgraded_column


def test_0029_fills_visited_transitions_as_a_fresh_store_computes_them(
    store_url: str, tmp_path: Path
) -> None:
    migrated, expected = upgraded_column(store_url, tmp_path, "0028", "visited_transitions")

    assert len(expected) == FRESH_ISSUES
    assert sum(text != ",," for text in expected.values() if text) > FRESH_ISSUES // 2
    assert expected["EDGE-900001"] == ",,"  # never changed: no transition
    assert expected["EDGE-900002"] == ",1>5,1>7,7>1,"  # 1 → 7 → 1 → 5
    assert migrated == expected
