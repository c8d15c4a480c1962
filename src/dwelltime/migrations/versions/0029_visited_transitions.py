"""Each issue's status transitions, so a transitionCount page learns its selection's
(from, to) columns as cheaply as a status page learns its statuses (`visited_statuses`,
0016): a page of any report whose columns the whole selection fixes has the export's.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"

#: Issues per backfill step (the SQLite bound-parameter limit is 32,766).
_CHUNK = 5_000
_MOVES = """
SELECT ci.issue_id, ci.from_value, ci.to_value
FROM change_items ci JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
WHERE ci.field_id = 'status' AND ci.issue_id IN :ids
ORDER BY ci.issue_id, h.created_ms, ci.history_id, ci.seq
"""


def upgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("visited_transitions", sa.Text))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM issues ORDER BY id"))]
    for start in range(0, len(ids), _CHUNK):
        _backfill(connection, ids[start : start + _CHUNK])


def _backfill(connection: sa.Connection, chunk: list[int]) -> None:
    """What the store's writer keeps from now on: ",from>to,…," of consecutive status
    visits in history order, the first being the first change's `from` (a frozen copy:
    migrations do not follow later code)."""
    wanted: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    moves: dict[int, list[tuple[str | None, str | None]]] = {row_id: [] for row_id in chunk}
    for row_id, left, entered in connection.execute(
        sa.text(_MOVES).bindparams(wanted), {"ids": chunk}
    ):
        moves[row_id].append((left, entered))
    rows = []
    for row_id, sequence in moves.items():
        pairs = set()
        previous = sequence[0][0] if sequence else None
        for _, entered in sequence:
            if previous and entered:
                pairs.add(f"{previous}>{entered}")
            previous = entered
        rows.append({"row_id": row_id, "moved": "," + ",".join(sorted(pairs)) + ","})
    if rows:
        connection.execute(
            sa.text("UPDATE issues SET visited_transitions = :moved WHERE id = :row_id"), rows
        )


def downgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("visited_transitions")
