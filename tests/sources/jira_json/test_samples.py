"""Importing the real Jira samples in ../shared: counts, idempotency, rejection, newest copy."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.sources.jira_json.importer import FileResult, import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.store.store_dump import dump_store


def _import(store: IssueStore, *paths: Path, statuses: Path | None = None) -> list[FileResult]:
    return list(import_files(store, paths, statuses))


def test_devlake_search_counts(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    devlake = jira_samples / "devlake"
    results = _import(store, devlake / "search.json", statuses=devlake / "status.json")
    assert [r.error for r in results] == [None, None]
    statuses, search = results
    assert statuses.counts is not None and statuses.counts.statuses == 53
    assert search.counts is not None
    assert (search.counts.issues, search.counts.histories, search.counts.status_changes) == (
        33,
        522,
        165,
    )
    stats = store.stats()
    assert (stats.issues, stats.histories, stats.change_items, stats.status_changes) == (
        33,
        522,
        714,
        165,
    )
    assert stats.statuses == 53


def test_devlake_reimport_changes_nothing(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    devlake = jira_samples / "devlake"
    _import(store, devlake / "search.json", statuses=devlake / "status.json")
    before = dump_store(store.engine)
    results = _import(store, devlake / "search.json", statuses=devlake / "status.json")
    assert all(r.error is None for r in results)
    assert dump_store(store.engine) == before


def test_truncated_copy_is_rejected_and_store_unchanged(
    settings: Settings, jira_samples: Path, tmp_path: Path
) -> None:
    store = IssueStore.open(settings)
    source = jira_samples / "devlake" / "search.json"
    _import(store, jira_samples / "jirametrics" / "SP-5.json")
    before = dump_store(store.engine)
    truncated = tmp_path / "search-truncated.json"
    truncated.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    [result] = _import(store, truncated)
    assert result.counts is None and result.error is not None
    assert str(truncated) in result.error.message
    assert "truncated" in result.error.message and "byte" in result.error.message
    assert dump_store(store.engine) == before


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(("testdata-SP-1.json", "complete_sample-SP-1.json"), id="older-first"),
        pytest.param(("complete_sample-SP-1.json", "testdata-SP-1.json"), id="newer-first"),
    ],
)
def test_newer_copy_wins_in_any_order(
    settings: Settings, jira_samples: Path, order: tuple[str, str]
) -> None:
    store = IssueStore.open(settings)
    _import(store, *(jira_samples / "jirametrics" / name for name in order))
    with store.engine.connect() as connection:
        status = connection.scalar(
            sa.select(schema.issues.c.status_name).where(schema.issues.c.key == "SP-1")
        )
        histories = connection.scalar(sa.select(sa.func.count()).select_from(schema.histories))
    assert status == "Review"
    assert histories == 4


def test_jirametrics_folder(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    results = _import(store, jira_samples / "jirametrics")
    assert all(r.error is None for r in results)
    stats = store.stats()
    assert (stats.issues, stats.statuses) == (10, 6)
    assert sum(r.counts.skipped for r in results if r.counts) == 1


def test_changelog_pages_without_their_issues_are_rejected(
    settings: Settings, jira_samples: Path
) -> None:
    store = IssueStore.open(settings)
    results = _import(store, jira_samples / "devlake" / "changelog-pages")
    assert len(results) == 3
    for result in results:
        assert result.error is not None
        assert "Import the issue first" in result.error.message
    assert store.is_empty()
