"""Each issue's visited statuses, so a page learns its selection's status columns cheaply.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"

#: Issues per backfill step (the SQLite bound-parameter limit is 32,766).
_CHUNK = 5_000


def upgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("visited_statuses", sa.Text))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM issues ORDER BY id"))]
    for start in range(0, len(ids), _CHUNK):
        _backfill(connection, ids[start : start + _CHUNK])


def _backfill(connection: sa.Connection, chunk: list[int]) -> None:
    """What the store's writer keeps from now on: ",id,id," of the statuses entered, left
    or held now (a frozen copy: migrations do not follow later code)."""
    wanted: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    seen: dict[int, set[str]] = {}
    current = sa.text("SELECT id, status_id FROM issues WHERE id IN :ids").bindparams(wanted)
    for row_id, status in connection.execute(current, {"ids": chunk}):
        seen[row_id] = {status} if status else set()
    changes = sa.text(
        "SELECT issue_id, to_value, from_value FROM change_items "
        "WHERE field_id = 'status' AND issue_id IN :ids"
    ).bindparams(wanted)
    for row_id, entered, left in connection.execute(changes, {"ids": chunk}):
        seen[row_id].update(value for value in (entered, left) if value)
    if seen:
        connection.execute(
            sa.text("UPDATE issues SET visited_statuses = :seen WHERE id = :row_id"),
            [{"row_id": i, "seen": "," + ",".join(sorted(s)) + ","} for i, s in seen.items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("visited_statuses")
