"""Demo data benchmark: generate and store N issues (100,000 by default) with `write_demo`.

Baselines measured in the same run: generating the same chunks without storing them, and
inserting the same rows (issues, histories, change items) into a plain `sqlite3` database
with one `executemany` per table and chunk. The store's own cost is (store run − generate
only), compared with the plain inserts.

The selection summaries' upkeep (sources/store/summaries.py) is clocked on its own: with
`--summaries K`, K summaries are kept before the demo is stored, as pages keep them, so
that every write keeps them true; `--without-upkeep` writes without it, the baseline to
alternate with (A B A B).
Usage: `python -m bench.demo_data [--issues N] [--summaries K] [--without-upkeep]`.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import sqlalchemy as sa

from bench._inputs import whole_number
from dwelltime.config import Settings
from dwelltime.sources.demo.generator import generate_demo, write_demo
from dwelltime.sources.store import generation, issue_store, schema, summaries
from dwelltime.sources.store.issue_store import IssueStore, StoreData

PLAIN_SCHEMA = """
CREATE TABLE issues (id INTEGER PRIMARY KEY, key TEXT, project_key TEXT, summary TEXT,
    status_id TEXT, assignee_id TEXT, created_ms INTEGER, updated_ms INTEGER);
CREATE TABLE histories (issue_id INTEGER, id INTEGER, created_ms INTEGER, author_id TEXT,
    author_name TEXT, PRIMARY KEY (issue_id, id));
CREATE TABLE change_items (issue_id INTEGER, history_id INTEGER, seq INTEGER, field TEXT,
    field_id TEXT, field_type TEXT, from_value TEXT, from_string TEXT, to_value TEXT,
    to_string TEXT, PRIMARY KEY (issue_id, history_id, seq));
"""


def plain_rows(data: StoreData) -> tuple[list[tuple[object, ...]], ...]:
    """The chunk as the tuples a hand-written loader would insert."""
    issues: list[tuple[object, ...]] = [
        (i.id, i.key, i.project_key, i.summary, i.status_id, i.assignee_id, i.created_ms,
         i.updated_ms)
        for i in data.issues
    ]  # fmt: skip
    histories: list[tuple[object, ...]] = [
        (i.id, h.id, h.created_ms, h.author_id, h.author_name)
        for i in data.issues
        for h in i.histories
    ]
    items: list[tuple[object, ...]] = [
        (i.id, h.id, seq, c.field, c.effective_field_id, c.field_type, c.from_value,
         c.from_string, c.to_value, c.to_string)
        for i in data.issues
        for h in i.histories
        for seq, c in enumerate(h.items)
    ]  # fmt: skip
    return issues, histories, items


class Spent:
    """Wall-clock and CPU seconds; CPU time is the steadier figure on a shared machine."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._since = (0.0, 0.0)

    def start(self) -> None:
        self._since = (time.perf_counter(), time.process_time())

    def stop(self) -> None:
        self.wall += time.perf_counter() - self._since[0]
        self.cpu += time.process_time() - self._since[1]

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s wall, {self.cpu:7.2f} s CPU"


@contextmanager
def clocked(spent: Spent) -> Iterator[None]:
    spent.start()
    try:
        yield
    finally:
        spent.stop()


def upkeep_clocked_in(spent: Spent) -> type[summaries.SummaryUpkeep]:
    """`SummaryUpkeep` with the time spent in it added to `spent`."""

    class Clocked(summaries.SummaryUpkeep):
        def __init__(
            self, connection: sa.Connection, sites: Iterable[str], ids: Collection[int]
        ) -> None:
            with clocked(spent):
                super().__init__(connection, sites, ids)

        def before(self) -> None:
            with clocked(spent):
                super().before()

        def after(self) -> None:
            with clocked(spent):
                super().after()

    return Clocked


class NoUpkeep:
    """In place of `SummaryUpkeep`: the write keeps no summary true (the baseline)."""

    def __init__(self, _connection: sa.Connection, _sites: Iterable[str], _ids: Collection[int]):
        pass

    def before(self) -> None:
        pass

    def after(self) -> None:
        pass


def keep_summaries(store: IssueStore, count: int) -> None:
    """Keep `count` summaries of selections a page could ask for (one project, created
    since a day; both kinds), as pages keep them."""
    issues = schema.issues
    with store.engine.connect() as connection:
        at = generation.current(connection)
        for n in range(count):
            where = sa.and_(
                issues.c.project_key == f"P{n % 3}", issues.c.created_ms >= n * 86_400_000
            )
            kind = (summaries.STATUSES, summaries.TRANSITIONS)[n % 2]
            condition = summaries.written_condition(connection, where)
            assert condition is not None
            summary = summaries.summarize(connection, where, kind)
            summaries.keep(store.engine, condition, kind, at, summary)


def generate_and_insert_plainly(issues: int, database: Path) -> tuple[Spent, Spent, int]:
    """Time spent generating, time spent in plain inserts, and rows inserted."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(PLAIN_SCHEMA)
    generating, inserting = Spent(), Spent()
    rows = 0
    chunks = generate_demo(issues)
    generating.start()
    for data in chunks:
        generating.stop()
        issue_rows, history_rows, item_rows = plain_rows(data)
        inserting.start()
        with connection:
            connection.executemany("INSERT INTO issues VALUES (?,?,?,?,?,?,?,?)", issue_rows)
            connection.executemany("INSERT INTO histories VALUES (?,?,?,?,?)", history_rows)
            connection.executemany(
                "INSERT INTO change_items VALUES (?,?,?,?,?,?,?,?,?,?)", item_rows
            )
        inserting.stop()
        rows += len(issue_rows) + len(history_rows) + len(item_rows)
        generating.start()
    generating.stop()
    connection.close()
    return generating, inserting, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=100_000)
    parser.add_argument(
        "--summaries",
        type=int,
        default=0,
        help=f"selection summaries kept while storing (at most {summaries.MAX_SUMMARIES})",
    )
    parser.add_argument("--without-upkeep", action="store_true", help="keep no summary true")
    args = parser.parse_args()
    upkeep = Spent()
    replacement = NoUpkeep if args.without_upkeep else upkeep_clocked_in(upkeep)
    with (
        tempfile.TemporaryDirectory() as folder,
        patch.object(issue_store, "SummaryUpkeep", replacement),
    ):
        generating, inserting, rows = generate_and_insert_plainly(
            args.issues, Path(folder) / "plain.db"
        )
        store = IssueStore.open(Settings(home=Path(folder) / "home"))
        keep_summaries(store, args.summaries)
        storing = Spent()
        storing.start()
        counts = write_demo(store, args.issues)
        storing.stop()
    share_wall, share_cpu = storing.wall - generating.wall, storing.cpu - generating.cpu
    print(f"issues: {counts.issues:,}, histories: {counts.histories:,}, rows: {rows:,}")
    print(f"generate only:           {generating}")
    print(f"generate + store (demo): {storing}  ({counts.issues / storing.wall:,.0f} issues/s)")
    print(f"store's share:           {share_wall:7.2f} s wall, {share_cpu:7.2f} s CPU")
    if args.without_upkeep:
        print("summary upkeep:          none (--without-upkeep)")
    else:
        print(
            f"summary upkeep ({args.summaries:2} kept): {upkeep}  ({upkeep.cpu / share_cpu:.1%} "
            "of the store's share of CPU)"
        )
    print(f"plain sqlite3 inserts:   {inserting}  ({rows / inserting.wall:,.0f} rows/s)")
    print(
        f"store / plain inserts:   {share_wall / inserting.wall:7.2f}× wall, "
        f"{share_cpu / inserting.cpu:7.2f}× CPU"
    )


if __name__ == "__main__":
    main()
