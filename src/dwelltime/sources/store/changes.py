"""Change items of a list of issues, as the `IssueBatch.changes` frame: only the fields
asked for, read from their packed tracks (`tracks`) with one query per id chunk, and
their authors only when the report shows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import CHANGE_COLUMNS
from dwelltime.sources.store.dense_ids import sql_conditions
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder
from dwelltime.sources.store.tracks import CODES, NULL_CODE, NUMBERS, TEXTS

_TRACKS = """
SELECT issue_id, field_id, n, numbers, codes FROM change_tracks
WHERE {ids} AND field_id IN ({fields})
"""
_TEXTS = "SELECT id, text FROM track_texts WHERE id IN ({ids})"


def read_changes(
    connection: sa.Connection,
    ids: Sequence[int],
    fields: Sequence[str],
    *,
    authors: bool = True,
) -> pl.DataFrame:
    """The change items of `fields` on the issues `ids` as `CHANGE_COLUMNS`, in no
    particular order; without `authors`, their `author` is null."""
    if not fields:
        return pl.DataFrame(schema=CHANGE_COLUMNS)
    mark = placeholder(connection)
    rows: list[Any] = []
    for condition, values in sql_conditions("issue_id", ids, mark):
        sql = _TRACKS.format(ids=condition, fields=", ".join(mark for _ in fields))
        rows.extend(fetch_tuples(connection, sql, (*values, *fields)))
    if not rows:
        return pl.DataFrame(schema=CHANGE_COLUMNS)
    issue_ids, field_ids, counts, numbers, codes = zip(*rows, strict=True)
    per_track = np.array(counts, dtype=np.int64)
    track = np.repeat(np.arange(len(rows)), per_track)
    pairs = np.frombuffer(b"".join(numbers), dtype=NUMBERS).reshape(-1, 2)
    wanted = TEXTS if authors else tuple(name for name in TEXTS if name != "author")
    table = np.frombuffer(b"".join(codes), dtype=CODES).reshape(-1, len(TEXTS))
    frame = pl.DataFrame(
        {
            "issue_id": pl.Series(np.array(issue_ids, dtype=np.int64)).gather(track),
            "history_id": pl.Series(pairs[:, 0]),
            "ts_ms": pl.Series(pairs[:, 1]),
            "field_id": pl.Series(field_ids, dtype=pl.Utf8).gather(track),
        }
    ).hstack(_texts(connection, table, wanted))
    if not authors:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("author"))
    return frame.select(list(CHANGE_COLUMNS))


def _texts(
    connection: sa.Connection, table: np.ndarray[Any, np.dtype[np.int32]], wanted: tuple[str, ...]
) -> list[pl.Series]:
    """The `wanted` text columns of the items whose `TEXTS` codes are the rows of `table`:
    the batch's distinct texts read once, each column a gather from them."""
    columns = [TEXTS.index(name) for name in wanted]
    used = np.unique(table[:, columns])
    known = used[used != NULL_CODE].tolist()
    mark = placeholder(connection)
    found: list[Any] = []
    for chunk in id_chunks(known):
        sql = _TEXTS.format(ids=", ".join(mark for _ in chunk))
        found.extend(fetch_tuples(connection, sql, tuple(chunk)))
    if len(found) != len(known):
        raise LookupError("a change track holds a text code that track_texts lacks")
    found.sort()
    codes = np.array([code for code, _ in found], dtype=CODES)
    # The texts in code order, then a null that the null code points at.
    texts = pl.Series([text for _, text in found] + [None], dtype=pl.Utf8)
    series = []
    for name, at in zip(wanted, columns, strict=True):
        column = table[:, at]
        positions = np.where(column == NULL_CODE, len(found), np.searchsorted(codes, column))
        series.append(texts.gather(positions).alias(name))
    return series
