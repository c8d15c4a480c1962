"""The one rule for a list of ids: a key range when dense enough, else IN lists."""

from __future__ import annotations

import sqlite3
from array import array

import pytest
import sqlalchemy as sa

from dwelltime.sources.store.dense_ids import (
    MAX_IN_LIST,
    KeyRange,
    conditions,
    key_range,
    sql_conditions,
)

_SQLITE = sa.create_engine("sqlite://").dialect


def _sql(condition: sa.ColumnElement[bool]) -> str:
    return str(condition.compile(dialect=_SQLITE, compile_kwargs={"render_postcompile": True}))


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([], None),
        ([3], KeyRange(3, 3, exact=True)),
        (array("q", range(7, 20_007)), KeyRange(7, 20_006, exact=True)),
        ([9, 7, 8], KeyRange(7, 9, exact=True)),
        ([1, 2, 2], KeyRange(1, 2, exact=True)),
        ([1, 3], None),
        ([-2, 0, -1], KeyRange(-2, 0, exact=True)),
    ],
    ids=["none", "one", "a whole range", "shuffled", "repeated", "a gap", "negative"],
)
def test_a_range_is_taken_only_when_it_holds_nothing_but_the_ids(
    ids: list[int], expected: KeyRange | None
) -> None:
    assert key_range(ids) == expected


def test_a_wider_spread_takes_a_range_with_gaps_up_to_that_many_keys_per_id() -> None:
    assert key_range([1, 3], spread=2) == KeyRange(1, 3, exact=False)
    assert key_range([1, 4], spread=2) == KeyRange(1, 4, exact=False)
    assert key_range([1, 5], spread=2) is None
    # Repeats do not count as ids: two distinct ids over five keys is too sparse.
    assert key_range([1, 1, 1, 5], spread=2) is None
    assert key_range([5, 1, 2, 3, 4], spread=2) == KeyRange(1, 5, exact=True)


def test_sql_conditions_are_one_between_or_in_lists_of_at_most_max_in_list() -> None:
    for ids in (array("q", range(7, 20_007)), [9, 7, 8], [3]):
        assert list(sql_conditions("id", ids, "?")) == [
            ("id BETWEEN ? AND ?", (min(ids), max(ids)))
        ]
    sparse = list(range(1, 4 * MAX_IN_LIST + 3, 2))
    found = list(sql_conditions("l.issue_id", sparse, "%s"))
    assert [values for _, values in found] == [
        tuple(sparse[:MAX_IN_LIST]),
        tuple(sparse[MAX_IN_LIST : 2 * MAX_IN_LIST]),
        tuple(sparse[2 * MAX_IN_LIST :]),
    ]
    assert found[-1][0] == "l.issue_id IN (%s)"
    assert list(sql_conditions("id", [1, 3, 4], "?")) == [("id IN (?, ?, ?)", (1, 3, 4))]
    assert list(sql_conditions("id", [1, 3, 4], "?", spread=2)) == [("id BETWEEN ? AND ?", (1, 4))]
    assert list(sql_conditions("id", [], "?")) == []


def test_sqlalchemy_conditions_follow_the_same_rule() -> None:
    column = sa.column("jira_id", sa.Integer)
    assert [_sql(c) for c in conditions(column, [4, 2, 3])] == ["jira_id BETWEEN ? AND ?"]
    sparse = list(range(0, 4 * MAX_IN_LIST + 2, 2))
    found = conditions(column, sparse)
    assert [_sql(c).count("?") for c in found] == [MAX_IN_LIST, MAX_IN_LIST, 1]
    assert conditions(column, []) == []


def test_every_statement_stays_under_sqlites_variable_limit() -> None:
    """40,000 sparse ids would be 40,000 variables in one statement, over SQLite's limit
    (32,766 by default), so they go as IN lists, each reading its own rows."""
    connection = sqlite3.connect(":memory:")
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    connection.executemany("INSERT INTO t VALUES (?)", ((n,) for n in range(100_000)))
    ids = list(range(0, 80_000, 2))
    with pytest.raises(sqlite3.OperationalError, match="too many SQL variables"):
        connection.execute(f"SELECT id FROM t WHERE id IN ({', '.join('?' for _ in ids)})", ids)
    found = list(sql_conditions("id", ids, "?"))
    read = [
        row
        for condition, values in found
        for (row,) in connection.execute(f"SELECT id FROM t WHERE {condition}", values)
    ]
    connection.close()
    assert len(found) == len(ids) // MAX_IN_LIST
    assert sorted(read) == ids
