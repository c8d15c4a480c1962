"""PostgreSQL store reads: every project's issues through `LocalSource.batches` (wall and
CPU seconds, change rows per second), alternating A B A B on one store:
- the batch reads planned as key lookups (`prefer_key_lookups`, what dwelltime does) or by
  PostgreSQL's default plan;
- with and without migration 0019's project index (dropped and recreated between runs,
  so use a database of the bench's own).

The store is an existing PostgreSQL database holding demo data (100,000 issues or more:
`DWELLTIME_DATABASE_URL=… dwelltime demo-data --issues 100000`).
Usage: `python -m bench.postgres_reads URL [ROUNDS]`.
"""

from __future__ import annotations

import statistics
import sys
import time

import sqlalchemy as sa

from bench._inputs import Arguments
from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import source
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource

DEFAULT_ROUNDS = 3
INDEX = "ix_issues_project_lower_order"
CREATE = f"CREATE INDEX {INDEX} ON issues (lower(project_key), jira_id, site)"


def _default_plan(connection: sa.Connection) -> None:
    """PostgreSQL's own plan for the batch reads (what dwelltime did before)."""


def read_all(store: IssueStore, projects: list[str], batch_size: int) -> tuple[float, float, int]:
    """Wall and CPU seconds of reading every project, and the change rows read."""
    wall, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for project in projects:
        for batch in LocalSource(store).batches(Selection("project", project), batch_size):
            rows += batch.changes.height
    return time.perf_counter() - wall, time.process_time() - cpu, rows


def main() -> None:
    given = Arguments(sys.argv[1:], "python -m bench.postgres_reads URL [ROUNDS]", __doc__)
    positional = given.positional(needed=True, at_most=2)
    url = positional[0]
    rounds = given.whole_number(positional[1], "ROUNDS") if len(positional) > 1 else DEFAULT_ROUNDS
    store = IssueStore.open(Settings(database_url=url))
    batch_size = Settings().batch_size
    with store.engine.connect() as connection:
        projects = list(connection.execute(sa.text("SELECT key FROM projects")).scalars())
        issues = connection.execute(sa.text("SELECT count(*) FROM issues")).scalar_one()
    key_lookups = source.prefer_key_lookups
    configurations = {
        "key lookups, project index": (key_lookups, True),
        "default plan, project index": (_default_plan, True),
        "key lookups, no project index": (key_lookups, False),
    }
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in configurations}
    for _ in range(rounds):
        for name, (planning, indexed) in configurations.items():
            with store.engine.begin() as connection:
                connection.execute(sa.text(f"DROP INDEX IF EXISTS {INDEX}"))
                if indexed:
                    connection.execute(sa.text(CREATE))
                connection.execute(sa.text("ANALYZE issues"))
            source.prefer_key_lookups = planning
            results[name].append(read_all(store, projects, batch_size))
            source.prefer_key_lookups = key_lookups
            print(f"{name}: {results[name][-1][0]:.1f} s", flush=True)
    print(f"\n{issues:,} issues on PostgreSQL, batches of {batch_size}, medians of {rounds}")
    print("| configuration | wall s (runs) | CPU s | change rows/s |")
    print("|---|---:|---:|---:|")
    for name, runs in results.items():
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        walls = ", ".join(f"{run[0]:.1f}" for run in runs)
        print(f"| {name} | {wall:.1f} ({walls}) | {cpu:.1f} | {runs[0][2] / wall:,.0f} |")


if __name__ == "__main__":
    main()
