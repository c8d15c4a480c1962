"""Change tracks: each issue's change items of one field packed into one row, which reports
read instead of joining every change item to its history (`sources.store.tracks`).

Revision ID: 0021
Revises: 0023
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0023"

#: Issues per backfill step (the SQLite bound-parameter limit is 32,766).
_CHUNK = 5_000
_ITEMS = """
SELECT ci.issue_id, ci.field_id, ci.history_id, h.created_ms, ci.from_value, ci.from_string,
       ci.to_value, ci.to_string, h.author_name
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.issue_id IN :ids ORDER BY ci.issue_id, ci.field_id, ci.history_id, ci.seq
"""


def upgrade() -> None:
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
        sa.Column("lengths", sa.LargeBinary, nullable=False),
        sa.Column("texts", sa.LargeBinary, nullable=False),
    )
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM issues ORDER BY id"))]
    items = sa.text(_ITEMS).bindparams(sa.bindparam("ids", expanding=True))
    insert = sa.text(
        "INSERT INTO change_tracks (issue_id, field_id, n, numbers, lengths, texts) "
        "VALUES (:issue_id, :field_id, :n, :numbers, :lengths, :texts)"
    )
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(items, {"ids": ids[start : start + _CHUNK]}).all()
        tracks = [
            _track(issue_id, field_id, list(group))
            for (issue_id, field_id), group in itertools.groupby(rows, key=lambda r: r[:2])
        ]
        if tracks:
            connection.execute(insert, tracks)


def _track(issue_id: int, field_id: str, items: Sequence[Any]) -> dict[str, Any]:
    """A track as the store's writer packs it from now on (a frozen copy: migrations do
    not follow later code): (history id, time) int64 pairs, the byte lengths of the five
    texts per item (-1: null) as int32, the texts' UTF-8 back to back; little-endian."""
    texts = [None if text is None else str(text).encode() for item in items for text in item[4:9]]
    numbers = [number for item in items for number in (item[2], item[3])]
    return {
        "issue_id": issue_id,
        "field_id": field_id,
        "n": len(items),
        "numbers": struct.pack(f"<{len(numbers)}q", *numbers),
        "lengths": struct.pack(
            f"<{len(texts)}i", *(-1 if text is None else len(text) for text in texts)
        ),
        "texts": b"".join(text for text in texts if text),
    }


def downgrade() -> None:
    op.drop_table("change_tracks")
