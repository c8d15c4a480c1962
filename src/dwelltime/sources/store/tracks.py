"""Change tracks: each stored issue's change items of one field packed into a row of
`change_tracks`, which is what reports read instead of joining `change_items` to
`histories` (the JOIN and the JSON arrays built from it were the largest phase of a
report: bench/RESULTS.md). `change_items` stays the record that JQL, filters and the
statistics read; the writer keeps both.

A track is three byte strings: `numbers`, each item's (history id, history time) as
little-endian int64 pairs; `lengths`, the UTF-8 byte lengths (-1: null) of each item's
`TEXTS` as little-endian int32; `texts`, those strings back to back. Joined end to end,
the tracks of a batch are one long track, so a read (`changes.read_changes`) is one
query, a `b"".join` per column and NumPy views of the bytes: no Python object per change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa

from dwelltime.sources.store import schema
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder

#: The text columns of an item, in the order `lengths` and `texts` hold them.
TEXTS = ("from_value", "from_string", "to_value", "to_string", "author")
NUMBERS = np.dtype("<i8")
LENGTHS = np.dtype("<i4")

#: A change item to pack: issue row id, field id, history id, history time, then `TEXTS`.
Item = tuple[int, str, int, int, str | None, str | None, str | None, str | None, str | None]
#: A `change_tracks` row: issue row id, field id, n, numbers, lengths, texts.
TrackRow = tuple[int, str, int, bytes, bytes, bytes]

_STORED_ITEMS = """
SELECT ci.issue_id, ci.field_id, ci.history_id, h.created_ms, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN ({ids})
"""


def pack(items: Sequence[Item]) -> list[TrackRow]:
    """The tracks of `items`: one per (issue, field), its items in history id order (and
    in the order given within a history: their `seq`)."""
    order = sorted(range(len(items)), key=lambda index: items[index][:3])
    ordered = [items[index] for index in order]
    numbers = np.array([item[2:4] for item in ordered], dtype=NUMBERS).tobytes()
    encoded = [None if text is None else text.encode() for item in ordered for text in item[4:]]
    lengths = np.array([-1 if text is None else len(text) for text in encoded], dtype=LENGTHS)
    texts = b"".join(text for text in encoded if text)
    ends = np.cumsum(np.maximum(lengths, 0).reshape(-1, len(TEXTS)).sum(axis=1)).tolist()
    lengths_bytes = lengths.tobytes()
    rows: list[TrackRow] = []
    start = 0
    for stop in range(1, len(ordered) + 1):
        if stop < len(ordered) and ordered[stop][:2] == ordered[start][:2]:
            continue
        text_start = ends[start - 1] if start else 0
        rows.append(
            (
                ordered[start][0],
                ordered[start][1],
                stop - start,
                numbers[start * 2 * NUMBERS.itemsize : stop * 2 * NUMBERS.itemsize],
                lengths_bytes[start * len(TEXTS) * 4 : stop * len(TEXTS) * 4],
                texts[text_start : ends[stop - 1]],
            )
        )
        start = stop
    return rows


def insert_tracks(connection: sa.Connection, rows: Sequence[TrackRow]) -> None:
    if rows:
        columns = ", ".join(column.name for column in schema.change_tracks.c)
        marks = ", ".join(placeholder(connection) for _ in schema.change_tracks.c)
        connection.exec_driver_sql(
            f"INSERT INTO change_tracks ({columns}) VALUES ({marks})", list(rows)
        )


def rebuild_tracks(connection: sa.Connection, row_ids: Sequence[int]) -> None:
    """Pack again the tracks of the issues `row_ids` from their stored change items (after
    a changelog merged into what the store held)."""
    tracks = schema.change_tracks
    mark = placeholder(connection)
    for chunk in id_chunks(sorted(set(row_ids))):
        connection.execute(sa.delete(tracks).where(tracks.c.issue_id.in_(chunk)))
        sql = _STORED_ITEMS.format(ids=", ".join(mark for _ in chunk))
        sql += " ORDER BY ci.issue_id, ci.field_id, ci.history_id, ci.seq"
        insert_tracks(connection, pack(fetch_tuples(connection, sql, tuple(chunk))))
