"""The user selection (`filterType=user`) on a store at migration 0022 or later, SQLite or
PostgreSQL: every person of the store, by account id and by display name, selected
(ids and count) under four configurations alternating A B C D, A B C D:
- the query shape: one select per column, united (dwelltime's), or the OR of the columns
  in one select (what dwelltime did before, kept here as the baseline);
- with or without migration 0022's indexes (dropped and recreated between runs, so use a
  store of the bench's own: a copy of a demo store, or a PostgreSQL database of its own).

Each configuration's ids must equal the first's, person by person. Wall and client CPU
seconds, and the server's CPU when the PostgreSQL server runs on this machine; with
`--explain PERSON`, each configuration's plan for that person (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
`--pair` runs only the first two (this branch and before), for big stores.
`--covering` compares instead, both with the united selects, the indexes as migration 0030
left them (on PostgreSQL carrying the issue's id, `INCLUDE`) against the same keys without
it (0022's); the tables are vacuumed after each rebuild, as autovacuum would have them.
Usage: `python -m bench.user_selection URL [--rounds N] [--explain PERSON] [--pair|--covering]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bench._inputs import require, whole_number
from bench._server_cpu import server_cpu
from dwelltime import db
from dwelltime.domain.issues import ASSIGNEE_FIELD
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import filters, schema

Shape = Callable[[str], sa.ColumnElement[bool]]


def _or_of_columns(user: str) -> sa.ColumnElement[bool]:
    """The shape before migration 0022: every column in one condition."""
    issues, items = schema.issues, schema.change_items
    named = sa.or_(
        items.c.from_value == user,
        items.c.to_value == user,
        items.c.from_string == user,
        items.c.to_string == user,
    )
    in_history = sa.select(items.c.issue_id).where(items.c.field_id == ASSIGNEE_FIELD, named)
    return sa.or_(
        issues.c.assignee_id == user, issues.c.assignee_name == user, issues.c.id.in_(in_history)
    )


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    server_cpu: float | None
    ids: list[list[int]]


def _people(connection: sa.Connection) -> list[str]:
    users = schema.users
    rows = connection.execute(sa.select(users.c.id, users.c.display_name).order_by(users.c.id))
    return [name for row in rows for name in row]


#: The user selection's indexes in a configuration: 0022's dropped (None), all of them
#: with their keys only (as before migration 0030), or as 0030 builds them.
Indexes = str | None
PLAIN, COVERING = "plain", "covering"


def _plain(index: sa.Index) -> sa.Index:
    """`index` without its PostgreSQL `INCLUDE` columns (as before migration 0030)."""
    return sa.Index(
        str(index.name),
        *index.expressions,
        sqlite_where=index.dialect_options["sqlite"]["where"],
        postgresql_where=index.dialect_options["postgresql"]["where"],
    )


def _index(engine: sa.Engine, indexes: Indexes) -> None:
    """Build the user selection's indexes as `indexes` says (the account id's, older than
    0022, stays in every configuration); on PostgreSQL the tables are then vacuumed, as
    autovacuum keeps them: an index-only scan needs a current visibility map."""
    with engine.begin() as connection:
        for index in (schema.ASSIGNEE_ID_INDEX, *schema.USER_SELECTION_INDEXES):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
            if indexes == COVERING:
                index.create(connection)
            elif indexes == PLAIN or index is schema.ASSIGNEE_ID_INDEX:
                _plain(index).create(connection)
    tables = ("issues", "change_items")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(tables)}")
    else:
        with engine.begin() as connection:
            for table in tables:
                connection.exec_driver_sql(f"ANALYZE {table}")


def _server_cpu(engine: sa.Engine) -> float | None:
    return server_cpu() if engine.dialect.name == "postgresql" else None


def _select_all(engine: sa.Engine, people: Sequence[str]) -> Run:
    wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu(engine)
    ids = []
    with engine.connect() as connection:
        for person in people:
            selection = Selection("user", person)
            ids.append(list(filters.selection_ids(connection, selection)))
            assert filters.selection_count(connection, selection) == len(ids[-1])
    after = _server_cpu(engine)
    used = None if server is None or after is None else after - server
    return Run(time.perf_counter() - wall, time.process_time() - cpu, used, ids)


def _explain(engine: sa.Engine, person: str) -> None:
    issues = schema.issues
    with engine.connect() as connection:
        where = filters.selection_where(connection, Selection("user", person))
        query = sa.select(issues.c.id).where(where).order_by(issues.c.jira_id, issues.c.site)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        if engine.dialect.name == "sqlite":
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"):
                print(f"  {row[3]}")
        else:
            for (line,) in connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"):
                print(f"  {line}")


def main() -> None:
    require(
        sys.argv[1:],
        "python -m bench.user_selection URL [--rounds N] [--explain PERSON] [--pair|--covering]",
    )
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--rounds", type=whole_number, default=2)
    parser.add_argument("--explain", metavar="PERSON", help="an account id or display name")
    parser.add_argument("--pair", action="store_true", help="this branch and before only")
    parser.add_argument("--covering", action="store_true", help="0030's indexes against 0022's")
    arguments = parser.parse_args()
    engine = db.create_db_engine(arguments.url)
    with engine.connect() as connection:
        people = _people(connection)
        issues = connection.execute(sa.text("SELECT count(*) FROM issues")).scalar_one()
    united = filters._assigned_ever
    configurations: dict[str, tuple[Shape, Indexes]] = {
        "united selects, 0030 indexes (this branch)": (united, COVERING),
        "OR of the columns, no 0022 indexes (before)": (_or_of_columns, None),
        "united selects, no 0022 indexes": (united, None),
        "OR of the columns, 0030 indexes": (_or_of_columns, COVERING),
    }
    if arguments.pair:
        configurations = dict(list(configurations.items())[:2])
    if arguments.covering:
        configurations = {
            "united selects, 0030 indexes, covering (this branch)": (united, COVERING),
            "united selects, 0022 indexes, keys only (before)": (united, PLAIN),
        }
    runs: dict[str, list[Run]] = {name: [] for name in configurations}
    for round_ in range(arguments.rounds):
        for name, (shape, indexed) in configurations.items():
            _index(engine, indexed)
            filters._assigned_ever = shape  # type: ignore[assignment]
            if arguments.explain and round_ == 0:
                print(f"{name}, {arguments.explain!r}:")
                _explain(engine, arguments.explain)
            runs[name].append(_select_all(engine, people))
            filters._assigned_ever = united
            print(f"{name}: {runs[name][-1].wall:.2f} s", flush=True)
    _index(engine, COVERING)
    first = next(iter(runs.values()))[0].ids
    assert all(run.ids == first for each in runs.values() for run in each), "ids differ"
    print(f"\n{issues:,} issues on {engine.dialect.name}, {len(people)} selections, same ids")
    print("| configuration | wall s (runs) | client CPU s | server CPU s |")
    print("|---|---:|---:|---:|")
    for name, each in runs.items():
        walls = ", ".join(f"{run.wall:.2f}" for run in each)
        servers = [run.server_cpu for run in each if run.server_cpu is not None]
        server = f"{statistics.median(servers):.2f}" if servers else "n/a"
        print(
            f"| {name} | {statistics.median(run.wall for run in each):.2f} ({walls}) "
            f"| {statistics.median(run.cpu for run in each):.2f} | {server} |"
        )


if __name__ == "__main__":
    main()
