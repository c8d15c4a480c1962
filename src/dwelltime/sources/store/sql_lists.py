"""Pieces of raw SQL that the store's fast paths share: IN-list chunks, placeholders and
fetching plain tuples (a list of ids as conditions: `dense_ids`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

#: Ids per IN (...) list: under SQLite's limit of 32,766 variables per statement.
MAX_IN_LIST = 5_000


_Item = TypeVar("_Item", int, str, bytes)


def id_chunks(ids: Sequence[_Item], size: int = MAX_IN_LIST) -> Iterator[Sequence[_Item]]:
    """`ids` (or keys, or digests) in consecutive slices of at most `size`."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def even_batches(ids: Sequence[_Item], size: int) -> Iterator[Sequence[_Item]]:
    """`ids` in consecutive slices of about `size`, all of one size (give or take one id),
    with no short one at the end: the short last slice of `size`s is shared among the
    others when each then holds at most an eighth more than `size`.

    A batch costs about 0.05 CPU s of its own whatever it holds (a 1,000,000-issue
    export read in 200 batches took 4.3-5.4 s more than in 100): a chunk of 125,000
    issues of a split export read in 12 batches of 10,417 instead of 12 of 10,000 and
    one of 5,000 spends 8 batches fewer over its 8 chunks than before, 4 fewer than the
    unsplit export's 100. An eighth over `size` keeps DWELLTIME_BATCH_SIZE what it is, a
    bound on a batch's memory, give or take that.
    """
    total = len(ids)
    if not total:
        return
    count = -(-total // size)
    if total % size and count > 1 and total <= (count - 1) * (size + size // 8):
        count -= 1
    for index in range(count):
        yield ids[index * total // count : (index + 1) * total // count]


def placeholder(connection: sa.Connection) -> str:
    """The DBAPI parameter marker of the connection's driver (SQLite `?`, psycopg `%s`)."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def fetch_tuples(connection: sa.Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Rows of `sql` as the DBAPI's plain tuples.

    SQLAlchemy's Row wrapping costs as much as the query itself on the read path.
    """
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()
