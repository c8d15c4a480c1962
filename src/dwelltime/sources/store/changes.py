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
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder
from dwelltime.sources.store.tracks import LENGTHS, NUMBERS, TEXTS

_TRACKS = """
SELECT issue_id, field_id, n, numbers, lengths, texts FROM change_tracks
WHERE issue_id IN ({ids}) AND field_id IN ({fields})
"""


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
    for chunk in id_chunks(ids):
        sql = _TRACKS.format(
            ids=", ".join(mark for _ in chunk), fields=", ".join(mark for _ in fields)
        )
        rows.extend(fetch_tuples(connection, sql, (*chunk, *fields)))
    if not rows:
        return pl.DataFrame(schema=CHANGE_COLUMNS)
    issue_ids, field_ids, counts, numbers, lengths, texts = zip(*rows, strict=True)
    per_track = np.array(counts, dtype=np.int64)
    track = np.repeat(np.arange(len(rows)), per_track)
    pairs = np.frombuffer(b"".join(numbers), dtype=NUMBERS).reshape(-1, 2)
    wanted = TEXTS if authors else tuple(name for name in TEXTS if name != "author")
    texts_of = _texts(np.frombuffer(b"".join(lengths), dtype=LENGTHS), b"".join(texts), wanted)
    frame = pl.DataFrame(
        {
            "issue_id": pl.Series(np.array(issue_ids, dtype=np.int64)).gather(track),
            "history_id": pl.Series(pairs[:, 0]),
            "ts_ms": pl.Series(pairs[:, 1]),
            "field_id": pl.Series(field_ids, dtype=pl.Utf8).gather(track),
        }
    ).hstack(texts_of)
    if not authors:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("author"))
    return frame.select(list(CHANGE_COLUMNS))


def _texts(
    lengths: np.ndarray[Any, np.dtype[np.int32]], data: bytes, wanted: tuple[str, ...]
) -> pl.DataFrame:
    """The `wanted` text columns of the items whose `TEXTS` lengths (-1: null) and bytes
    are `lengths` and `data`: each cut from `data` in one Polars pass."""
    table = lengths.reshape(-1, len(TEXTS))
    sizes = np.maximum(table, 0)
    starts = (np.cumsum(sizes.ravel()) - sizes.ravel()).reshape(sizes.shape)
    blob = pl.lit(data, dtype=pl.Binary)
    cuts: dict[str, Any] = {}
    columns = []
    for name in wanted:
        at = TEXTS.index(name)
        cuts |= {f"{name}.start": starts[:, at], f"{name}.size": sizes[:, at]}
        cuts[f"{name}.known"] = table[:, at] >= 0
        text = blob.bin.slice(pl.col(f"{name}.start"), pl.col(f"{name}.size")).cast(pl.Utf8)
        columns.append(pl.when(pl.col(f"{name}.known")).then(text).alias(name))
    return pl.DataFrame(cuts).select(columns)
