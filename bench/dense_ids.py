"""CPU seconds of the store reads that name rows by a list of ids (`dense_ids`): batches of
consecutive row ids (one key range) and of every other one (IN lists), through
`read_batch`; and `IssueStore.site_rows` of Jira ids that are consecutive, every second
(a range, the rows between left out) and every third (IN lists), and of a 100-id page.

Each case is the best of 3 (CPU, then wall seconds). The store must hold at least 100,000
issues of the demo site (`dwelltime demo-data`); it is opened, so its schema is brought up
to date: measure a copy. An older tree is measured by running this script with its `src`
first on `PYTHONPATH` (e.g. one exported with `git archive <commit> src | tar -x -C
/tmp/before`): alternate the two.

Run: `python -m bench.dense_ids DATABASE`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa

from bench._inputs import require
from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.domain.sites import DEMO_SITE
from dwelltime.sources.store import schema
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.issue_store import IssueStore

ROUNDS = 3
BATCH = 10_000
LISTING = 30_000
_SELECTION = Selection(
    "project", "PAY", fields=("sprint", "labels"), change_fields=("status", "assignee")
)


def clock(name: str, run: Callable[[], object]) -> None:
    """Print the least CPU and wall seconds of `ROUNDS` runs (the machine is shared)."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(ROUNDS):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        run()
        cpu = min(cpu, time.process_time() - cpu_start)
        wall = min(wall, time.perf_counter() - wall_start)
    print(f"{name:<32} {cpu:7.3f} CPU s {wall:7.3f} s")


def main() -> None:
    usage = "python -m bench.dense_ids DATABASE"
    require(sys.argv[1:], usage)
    parser = argparse.ArgumentParser(description=__doc__, usage=usage)
    parser.add_argument("database", type=Path)
    args = parser.parse_args()
    store = IssueStore.open(Settings(database_url=f"sqlite:///{args.database.resolve()}"))
    with store.engine.connect() as connection:
        rows = sorted(connection.execute(sa.select(schema.issues.c.id)).scalars())
        jira = sorted(
            connection.execute(
                sa.select(schema.issues.c.jira_id).where(schema.issues.c.site == DEMO_SITE)
            ).scalars()
        )
    if len(rows) < 10 * BATCH or len(jira) < 3 * LISTING:
        raise SystemExit(f"{args.database} holds too few demo issues (100,000 needed)")

    def batches(ids: Sequence[Sequence[int]]) -> None:
        with store.engine.connect() as connection:
            for chunk in ids:
                read_batch(connection, chunk, _SELECTION)

    def listing(ids: Sequence[int], times: int = 5) -> None:
        for _ in range(times):
            store.site_rows(DEMO_SITE, ids)

    starts = range(0, 10 * BATCH, BATCH)
    clock("batches, consecutive 10x10,000", lambda: batches([rows[s : s + BATCH] for s in starts]))
    clock("batches, every 2nd 10x5,000", lambda: batches([rows[s : s + BATCH : 2] for s in starts]))
    clock("site_rows, consecutive 5x30,000", lambda: listing(jira[:LISTING]))
    clock("site_rows, every 2nd 5x30,000", lambda: listing(jira[: 2 * LISTING : 2]))
    clock("site_rows, every 3rd 5x30,000", lambda: listing(jira[: 3 * LISTING : 3]))
    clock("site_rows, page 200x100", lambda: listing(jira[5_000:5_100], 200))
    store.engine.dispose()


if __name__ == "__main__":
    main()
