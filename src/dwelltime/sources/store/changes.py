"""Change items of a list of issues, as the `IssueBatch.changes` frame: only the fields
asked for, read as whole columns (`frames.read_frame`), and their authors only when the
report shows them (a name per change is the widest column of the read)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import CHANGE_COLUMNS
from dwelltime.sources.store.frames import read_frame
from dwelltime.sources.store.sql_lists import placeholder

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
_COLUMNS = {name: (sql, CHANGE_COLUMNS[name]) for name, sql in _EXPRESSIONS.items()}
_AUTHOR = "author"
_WITHOUT_AUTHOR = {name: column for name, column in _COLUMNS.items() if name != _AUTHOR}

_FROM = """
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN ({{ids}}) AND ci.field_id IN ({fields})
"""


def read_changes(
    connection: sa.Connection,
    ids: Sequence[int],
    fields: Sequence[str],
    *,
    authors: bool = True,
    packed: bool | None = None,
) -> pl.DataFrame:
    """The change items of `fields` on the issues `ids`, in no particular order; without
    `authors`, their `author` is null."""
    if not fields:
        return pl.DataFrame(schema=CHANGE_COLUMNS)
    marks = ", ".join(placeholder(connection) for _ in fields)
    tail = _FROM.format(fields=marks)
    if authors:
        return read_frame(connection, _COLUMNS, tail, ids, fields, packed=packed)
    found = read_frame(connection, _WITHOUT_AUTHOR, tail, ids, fields, packed=packed)
    return found.with_columns(pl.lit(None, pl.Utf8).alias(_AUTHOR)).select(list(CHANGE_COLUMNS))
