"""Change tracks: each stored issue's change items of one field packed into a row of
`change_tracks`, which is what reports read instead of joining `change_items` to
`histories` (the JOIN and the JSON arrays built from it were the largest phase of a
report: bench/RESULTS.md). `change_items` stays the record that JQL, filters and the
statistics read; the writer keeps both.

A track is two byte strings: `numbers`, each item's (history id, history time) as
little-endian int64 pairs; `codes`, each item's `TEXTS` as little-endian int32 ids into
`track_texts` (-1: null), which is keyed by each text's digest. A field holds few
distinct texts (a workflow's statuses, a site's users), so each is stored once and a
track's items are fixed-width numbers. Joined
end to end, the tracks of a batch are one long track, so a read (`changes.read_changes`)
is one query, a `b"".join` per column, NumPy views of the bytes and a gather from the
batch's few distinct texts: no Python object per change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
import sqlalchemy as sa

from dwelltime.sources.store import schema
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder

#: The text columns of an item, in the order `codes` holds them.
TEXTS = ("from_value", "from_string", "to_value", "to_string", "author")
NUMBERS = np.dtype("<i8")
CODES = np.dtype("<i4")
#: The code of a null text.
NULL_CODE = -1

#: A change item to pack: issue row id, field id, history id, history time, then `TEXTS`.
Item = tuple[int, str, int, int, str | None, str | None, str | None, str | None, str | None]
#: A `change_tracks` row: issue row id, field id, n, numbers, codes.
TrackRow = tuple[int, str, int, bytes, bytes]

_STORED_ITEMS = """
SELECT ci.issue_id, ci.field_id, ci.history_id, h.created_ms, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN ({ids})
"""


def pack(connection: sa.Connection, items: Sequence[Item]) -> list[TrackRow]:
    """The tracks of `items`: one per (issue, field), its items in history id order (and
    in the order given within a history: their `seq`). Texts new to the store are added to
    `track_texts` in the order they first appear."""
    ordered = sorted(items, key=lambda item: item[:3])
    texts = [text for item in ordered for text in item[4:]]
    codes_of = text_codes(connection, texts)
    codes = np.array(
        [NULL_CODE if text is None else codes_of[text] for text in texts], dtype=CODES
    ).tobytes()
    numbers = np.array([item[2:4] for item in ordered], dtype=NUMBERS).tobytes()
    number_size, code_size = 2 * NUMBERS.itemsize, len(TEXTS) * CODES.itemsize
    rows: list[TrackRow] = []
    start = 0
    for stop in range(1, len(ordered) + 1):
        if stop < len(ordered) and ordered[stop][:2] == ordered[start][:2]:
            continue
        rows.append(
            (
                ordered[start][0],
                ordered[start][1],
                stop - start,
                numbers[start * number_size : stop * number_size],
                codes[start * code_size : stop * code_size],
            )
        )
        start = stop
    return rows


def text_digest(text: str) -> bytes:
    """What `track_texts` is keyed by: a text can be longer than a PostgreSQL index entry
    may be (a description's change), its 16-byte BLAKE2 digest never is."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def text_codes(connection: sa.Connection, texts: Iterable[str | None]) -> dict[str, int]:
    """The `track_texts` id of every text in `texts`, adding the missing ones (in the order
    they first appear, so that one set of writes numbers them alike on any database)."""
    digests = {text: text_digest(text) for text in texts if text is not None}
    codes = _stored_codes(connection, digests)
    missing = [(digest, text) for text, digest in digests.items() if text not in codes]
    if missing:
        mark = placeholder(connection)
        connection.exec_driver_sql(
            f"INSERT INTO track_texts (digest, text) VALUES ({mark}, {mark}) "
            "ON CONFLICT (digest) DO NOTHING",
            missing,
        )
        codes |= _stored_codes(connection, {text: digest for digest, text in missing})
    return codes


def _stored_codes(connection: sa.Connection, digests: dict[str, bytes]) -> dict[str, int]:
    """The ids `track_texts` holds for the texts whose digests are `digests`."""
    mark = placeholder(connection)
    texts = {digest: text for text, digest in digests.items()}
    codes: dict[str, int] = {}
    for chunk in id_chunks(list(texts)):
        marks = ", ".join(mark for _ in chunk)
        sql = f"SELECT digest, id FROM track_texts WHERE digest IN ({marks})"
        codes.update(
            (texts[bytes(digest)], code)
            for digest, code in fetch_tuples(connection, sql, tuple(chunk))
        )
    return codes


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
        insert_tracks(connection, pack(connection, fetch_tuples(connection, sql, tuple(chunk))))
