"""Change items of a list of issues, as the `IssueBatch.changes` frame.

On SQLite the rows are built as NDJSON text inside SQLite (C) and parsed by Polars (Rust),
so no Python object is made per row: bench/store_read.py measured that path at the speed of
a bare `sqlite3` fetch, while fetching tuples and converting them costs ~1.5x. Other
databases take the tuple path.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import CHANGE_COLUMNS
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder

#: `CHANGE_COLUMNS` in order, each with the SQL expression that fills it.
_EXPRESSIONS = {
    "issue_id": "ci.issue_id",
    "history_id": "ci.history_id",
    "ts_ms": "h.created_ms",
    "field_id": "ci.field_id",
    "from_value": "ci.from_value",
    "from_string": "ci.from_string",
    "to_value": "ci.to_value",
    "to_string": "ci.to_string",
    "author": "h.author_name",
}

_FROM = """
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN ({ids}) AND ci.field_id IN ({fields})
"""
_TUPLES_SQL = "SELECT " + ", ".join(_EXPRESSIONS.values()) + _FROM
_NDJSON_SQL = (
    "SELECT group_concat(json_object("
    + ", ".join(f"'{name}', {sql}" for name, sql in _EXPRESSIONS.items())
    + "), char(10))"
    + _FROM
)


def read_changes(
    connection: sa.Connection, ids: Sequence[int], fields: Sequence[str]
) -> pl.DataFrame:
    """The change items of `fields` on the issues `ids`, in no particular order."""
    if connection.dialect.name == "sqlite":
        return changes_from_ndjson(connection, ids, fields)
    return changes_from_tuples(connection, ids, fields)


def changes_from_ndjson(
    connection: sa.Connection, ids: Sequence[int], fields: Sequence[str]
) -> pl.DataFrame:
    """SQLite only: one NDJSON text per id chunk, parsed by Polars."""
    frames = [pl.DataFrame(schema=CHANGE_COLUMNS)]
    for sql, params in _statements(connection, _NDJSON_SQL, ids, fields):
        [(text,)] = fetch_tuples(connection, sql, params)
        if text:  # group_concat of no rows is NULL
            frames.append(pl.read_ndjson(io.BytesIO(text.encode()), schema=CHANGE_COLUMNS))
    return pl.concat(frames)


def changes_from_tuples(
    connection: sa.Connection, ids: Sequence[int], fields: Sequence[str]
) -> pl.DataFrame:
    """Any database: plain DBAPI tuples, converted by Polars in one call."""
    rows: list[Any] = []
    for sql, params in _statements(connection, _TUPLES_SQL, ids, fields):
        rows.extend(fetch_tuples(connection, sql, params))
    return pl.DataFrame(rows, schema=CHANGE_COLUMNS, orient="row")


def _statements(
    connection: sa.Connection, template: str, ids: Sequence[int], fields: Sequence[str]
) -> list[tuple[str, tuple[Any, ...]]]:
    mark = placeholder(connection)
    field_marks = ", ".join(mark for _ in fields)
    return [
        (template.format(ids=", ".join(mark for _ in chunk), fields=field_marks), (*chunk, *fields))
        for chunk in id_chunks(ids)
    ]
