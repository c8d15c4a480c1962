"""Change tracks hold their texts as ids into `track_texts` (each distinct text stored
once, keyed by its 16-byte BLAKE2 digest) instead of the texts themselves: a track's
items become fixed-width numbers, which a report reads in half the bytes and decodes
without cutting strings (`sources.store.tracks`). The tracks are packed again from
`change_items`.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import struct
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"

#: Issues per backfill step (the SQLite bound-parameter limit is 32,766).
_CHUNK = 5_000
_ITEMS = """
SELECT ci.issue_id, ci.field_id, ci.history_id, h.created_ms, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN :ids ORDER BY ci.issue_id, ci.field_id, ci.history_id, ci.seq
"""


def upgrade() -> None:
    op.drop_table("change_tracks")
    op.create_table(
        "track_texts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("digest", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("text", sa.String, nullable=False),
    )
    op.create_table(
        "change_tracks",
        sa.Column(
            "issue_id",
            sa.BigInteger,
            sa.ForeignKey("issues.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("field_id", sa.String, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("numbers", sa.LargeBinary, nullable=False),
        sa.Column("codes", sa.LargeBinary, nullable=False),
    )
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM issues ORDER BY id"))]
    items = sa.text(_ITEMS).bindparams(sa.bindparam("ids", expanding=True))
    insert = sa.text(
        "INSERT INTO change_tracks (issue_id, field_id, n, numbers, codes) "
        "VALUES (:issue_id, :field_id, :n, :numbers, :codes)"
    )
    codes: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(items, {"ids": ids[start : start + _CHUNK]}).all()
        _add_texts(connection, codes, [text for row in rows for text in row[4:9]])
        tracks = [
            _track(issue_id, field_id, list(group), codes)
            for (issue_id, field_id), group in itertools.groupby(rows, key=lambda r: r[:2])
        ]
        if tracks:
            connection.execute(insert, tracks)


def _add_texts(connection: sa.Connection, codes: dict[str, int], texts: list[Any]) -> None:
    """Store the texts not yet in `codes`, in the order they first appear (as the writer
    numbers them), and learn their ids."""
    new = {
        str(text): hashlib.blake2b(str(text).encode(), digest_size=16).digest()
        for text in texts
        if text is not None and text not in codes
    }
    if new:
        connection.execute(
            sa.text("INSERT INTO track_texts (digest, text) VALUES (:digest, :text)"),
            [{"digest": digest, "text": text} for text, digest in new.items()],
        )
        select = sa.text("SELECT digest, id FROM track_texts WHERE digest IN :d").bindparams(
            sa.bindparam("d", expanding=True)
        )
        by_digest = {digest: text for text, digest in new.items()}
        digests = list(by_digest)
        for start in range(0, len(digests), _CHUNK):
            found = connection.execute(select, {"d": digests[start : start + _CHUNK]}).all()
            codes.update((by_digest[bytes(digest)], code) for digest, code in found)


def _track(
    issue_id: int, field_id: str, items: Sequence[Any], codes: dict[str, int]
) -> dict[str, Any]:
    """A track as the store's writer packs it from now on (a frozen copy: migrations do
    not follow later code): (history id, time) int64 pairs, the five texts per item as
    int32 ids into `track_texts` (-1: null); little-endian."""
    texts = [-1 if text is None else codes[str(text)] for item in items for text in item[4:9]]
    numbers = [number for item in items for number in (item[2], item[3])]
    return {
        "issue_id": issue_id,
        "field_id": field_id,
        "n": len(items),
        "numbers": struct.pack(f"<{len(numbers)}q", *numbers),
        "codes": struct.pack(f"<{len(texts)}i", *texts),
    }


def downgrade() -> None:
    """Back to the tracks of 0021, texts inline: that revision's own backfill."""
    op.drop_table("change_tracks")
    op.drop_table("track_texts")
    importlib.import_module("dwelltime.migrations.versions.0021_change_tracks").upgrade()
