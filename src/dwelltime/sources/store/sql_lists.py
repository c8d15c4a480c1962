"""Pieces of raw SQL that the store's fast paths share: IN-list chunks, placeholders and
fetching plain tuples."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa

#: Ids per IN (...) list: under SQLite's limit of 32,766 variables per statement.
MAX_IN_LIST = 5_000


_Item = TypeVar("_Item", int, str, bytes)


def id_chunks(ids: Sequence[_Item], size: int = MAX_IN_LIST) -> Iterator[Sequence[_Item]]:
    """`ids` (or keys, or digests) in consecutive slices of at most `size`."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def id_conditions(
    column: str, ids: Sequence[int], mark: str
) -> Iterator[tuple[str, tuple[int, ...]]]:
    """SQL conditions (and their parameters) that together keep `column` to `ids`.

    Ids that are exactly every integer from their least to their greatest (a selection of
    most of a store, in batches) are one `BETWEEN`: a scan of the key range read a
    batch's change tracks in 0.026 s against 0.037 s for the same ids as IN-list lookups
    (bench/RESULTS.md). Other ids go as IN lists of at most `MAX_IN_LIST`.
    """
    if not ids:
        return
    values = np.asarray(ids, dtype=np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low + 1 == len(values) and len(np.unique(values)) == len(values):
        yield f"{column} BETWEEN {mark} AND {mark}", (low, high)
        return
    for chunk in id_chunks(ids):
        yield f"{column} IN ({', '.join(mark for _ in chunk)})", tuple(chunk)


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
