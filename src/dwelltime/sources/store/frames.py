"""Query results over a list of issue ids as Polars frames, without a Python object per row.

On SQLite each id chunk's rows come back as one row of JSON arrays, one array per column,
built inside SQLite (C) and decoded by Polars (Rust) a whole column at a time:
bench/RESULTS.md measured that at about 0.65x the CPU of one NDJSON object per row (the
previous path), which was itself at the speed of a bare `sqlite3` fetch of tuples. Other
databases take the tuple path (DBAPI tuples converted by Polars in one call); both give
the same frame. (A columnar reader with its own SQLite, such as ADBC's, cannot be used in
the process: two copies of SQLite in one process break each other's POSIX locks.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.sources.store.dense_ids import sql_conditions
from dwelltime.sources.store.sql_lists import fetch_tuples, placeholder

#: Output column name → (SQL expression filling it, its Polars type).
Columns = Mapping[str, tuple[str, pl.DataType | type[pl.DataType]]]


def read_frame(
    connection: sa.Connection,
    columns: Columns,
    tail: str,
    id_column: str,
    ids: Sequence[int],
    extra: Sequence[Any] = (),
    *,
    packed: bool | None = None,
) -> pl.DataFrame:
    """`SELECT <columns> <tail>` once per `sql_conditions` of `ids` on `id_column`, as one
    frame in no promised order.

    `tail` (FROM … WHERE …) holds `{ids}` where the condition goes, followed by
    placeholders for `extra`. `packed` forces a path (tests): JSON arrays, or tuples; by
    default SQLite's is packed.
    """
    schema = {name: dtype for name, (_, dtype) in columns.items()}
    use_packed = connection.dialect.name == "sqlite" if packed is None else packed
    if use_packed:
        head = "SELECT " + ", ".join(f"json_group_array({sql})" for sql, _ in columns.values())
    else:
        head = "SELECT " + ", ".join(sql for sql, _ in columns.values())
    mark = placeholder(connection)
    frames = [pl.DataFrame(schema=schema)]
    rows: list[Any] = []
    for condition, values in sql_conditions(id_column, ids, mark):
        sql = f"{head} {tail.format(ids=condition)}"
        found = fetch_tuples(connection, sql, (*values, *extra))
        if use_packed:
            frames.append(_unpacked(found[0], schema))
        else:
            rows.extend(found)
    if rows:
        frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(frames)


def _unpacked(arrays: Sequence[str], schema: Mapping[str, Any]) -> pl.DataFrame:
    """One JSON array per column (all of one length) as a frame of `schema`, every column
    decoded by one query (a query per column was a tenth of a synchronous page's reads)."""
    texts = pl.DataFrame({name: [text] for text, name in zip(arrays, schema, strict=True)})
    decoded = texts.select(
        pl.col(name).str.json_decode(pl.List(dtype)) for name, dtype in schema.items()
    )
    return pl.DataFrame({name: decoded[name][0] for name in schema}, schema=schema)
