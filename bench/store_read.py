"""Store read benchmark: histories per second through `LocalSource.batches`.

The baseline is a plain `sqlite3` query over the same rows (every issue, then every
status and assignee change item with its history's time and author), fetched into Python
tuples in the same run. The store is a database file on disk: an existing one
(`--store PATH`) or a fresh demo store of `--issues` issues (100,000 by default).
Usage: `python -m bench.store_read [--issues N] [--store PATH] [--batch-size N]`.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench._inputs import whole_number
from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource

ROUNDS = 3

BASELINE_ISSUES_SQL = """
SELECT id, key, created_ms, status_id, assignee_id, assignee_name FROM issues ORDER BY id
"""
BASELINE_CHANGES_SQL = """
SELECT ci.issue_id, ci.history_id, h.created_ms, ci.field_id, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.field_id IN ('status', 'assignee')
"""


def read_with_sqlite3(database: Path) -> int:
    """Issue and change rows as plain tuples; returns the change rows read."""
    connection = sqlite3.connect(database)
    try:
        connection.execute(BASELINE_ISSUES_SQL).fetchall()
        return len(connection.execute(BASELINE_CHANGES_SQL).fetchall())
    finally:
        connection.close()


def read_with_source(store: IssueStore, projects: list[str], batch_size: int) -> int:
    """Every project's issues through LocalSource; returns the change rows read."""
    source = LocalSource(store)
    rows = 0
    for project in projects:
        for batch in source.batches(Selection("project", project), batch_size):
            rows += batch.changes.height
    return rows


def best_seconds(run: Callable[[], int]) -> tuple[float, int]:
    """The fastest of ROUNDS runs (the machine is shared) and the rows it read."""
    best = float("inf")
    rows = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - start)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=100_000)
    parser.add_argument("--store", type=Path, help="an existing dwelltime.db to read")
    parser.add_argument("--batch-size", type=whole_number, default=Settings().batch_size)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.store is not None:
            database = args.store.resolve()
            store = IssueStore.open(Settings(database_url=f"sqlite:///{database}"))
        else:
            settings = Settings(home=Path(folder))
            database = settings.home / "dwelltime.db"
            store = IssueStore.open(settings)
            start = time.perf_counter()
            write_demo(store, args.issues)
            elapsed = time.perf_counter() - start
            print(f"demo store of {args.issues:,} issues written in {elapsed:.1f} s")
        stats = store.stats()
        histories = stats.histories
        projects = [project.key for project in stats.projects]
        baseline, baseline_rows = best_seconds(lambda: read_with_sqlite3(database))
        source, source_rows = best_seconds(
            lambda: read_with_source(store, projects, args.batch_size)
        )
        store.engine.dispose()
    if source_rows != baseline_rows:
        raise SystemExit(f"row counts differ: source {source_rows}, sqlite3 {baseline_rows}")
    print(f"{histories:,} histories, {source_rows:,} status/assignee change rows")
    print(f"sqlite3 baseline : {baseline:6.2f} s  {histories / baseline:12,.0f} histories/s")
    print(f"LocalSource      : {source:6.2f} s  {histories / source:12,.0f} histories/s")
    print(f"ratio            : {source / baseline:.2f}x the baseline's time")


if __name__ == "__main__":
    main()
