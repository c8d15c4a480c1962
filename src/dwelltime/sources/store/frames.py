"""Query results over a list of issue ids as Polars frames, without a Python object per row.

On SQLite each id chunk's rows are built as one NDJSON text inside SQLite (C) and parsed by
Polars (Rust): bench/store_read.py measured that path at the speed of a bare `sqlite3`
fetch, while fetching tuples and converting them costs ~1.5x. Other databases take the
tuple path (DBAPI tuples converted by Polars in one call); both give the same frame.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder

#: Output column name → (SQL expression filling it, its Polars type).
Columns = Mapping[str, tuple[str, pl.DataType | type[pl.DataType]]]


def read_frame(
    connection: sa.Connection,
    columns: Columns,
    tail: str,
    ids: Sequence[int],
    extra: Sequence[Any] = (),
    *,
    ndjson: bool | None = None,
) -> pl.DataFrame:
    """`SELECT <columns> <tail>` once per chunk of `ids`, as one frame in no promised order.

    `tail` (FROM … WHERE …) holds `{ids}` where the chunk's placeholders go, followed by
    placeholders for `extra`. `ndjson` forces a path (tests); by default SQLite's.
    """
    schema = {name: dtype for name, (_, dtype) in columns.items()}
    use_ndjson = connection.dialect.name == "sqlite" if ndjson is None else ndjson
    if use_ndjson:
        pairs = ", ".join(f"'{name}', {sql}" for name, (sql, _) in columns.items())
        head = f"SELECT group_concat(json_object({pairs}), char(10)) "
    else:
        head = "SELECT " + ", ".join(sql for sql, _ in columns.values()) + " "
    mark = placeholder(connection)
    frames = [pl.DataFrame(schema=schema)]
    rows: list[Any] = []
    for chunk in id_chunks(ids):
        sql = head + tail.format(ids=", ".join(mark for _ in chunk))
        found = fetch_tuples(connection, sql, (*chunk, *extra))
        if not use_ndjson:
            rows.extend(found)
        elif found[0][0]:  # group_concat of no rows is NULL
            frames.append(pl.read_ndjson(io.BytesIO(found[0][0].encode()), schema=schema))
    if rows:
        frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(frames)
