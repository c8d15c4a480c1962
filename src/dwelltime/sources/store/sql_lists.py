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
