"""Migration 0023 on a store built at 0019 with issues in it: the report-order index is
there afterwards and pages of a selection are the same issues in the same order."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.domain.selection import Selection
from dwelltime.sources.store.filters import selection_ids
from tests.sources.store.old_stores import FRESH_ISSUES, fresh_store, store_at

EVERY_ISSUE = Selection(filter_type="customjql", filter_value="created is not empty")


def _pages(engine: sa.Engine) -> list[list[int]]:
    with engine.connect() as connection:
        return [
            list(selection_ids(connection, replace(EVERY_ISSUE, start_index=s, max_issues=40)))
            for s in range(0, FRESH_ISSUES, 40)
        ]


def _indexes(engine: sa.Engine) -> set[str]:
    """The index names on `issues` (SQLite's reflection skips, with a warning, the
    expression index of 0019: not the one looked for)."""
    with engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        return {str(index["name"]) for index in sa.inspect(connection).get_indexes("issues")}


def test_0023_adds_the_report_order_index_and_keeps_the_order(
    store_url: str, tmp_path: Path
) -> None:
    fresh = fresh_store(tmp_path / "fresh.db")
    old = store_at("0019", store_url, fresh)
    assert "ix_issues_report_order" not in _indexes(old)
    before = _pages(old)

    db.upgrade(store_url)

    assert "ix_issues_report_order" in _indexes(old)
    after = _pages(old)
    assert after == before == _pages(fresh)
    every = [row_id for page in after for row_id in page]
    assert len(every) == len(set(every)) == FRESH_ISSUES
    old.dispose()
    fresh.dispose()
