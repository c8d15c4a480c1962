"""The status catalog's order in a column of its own: reports list their status columns
in the order Jira's /status gave, which SQLite kept in the rowid but PostgreSQL, with no
insertion order, read back by id, so the same store gave other files on each engine.

SQLite stores are numbered by their rowid (the order they always had); PostgreSQL stores
by id (the order they were read in until now), so no existing file changes.

Revision ID: 0025
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0022"


def upgrade() -> None:
    op.add_column("statuses", sa.Column("position", sa.Integer))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE statuses SET position = rowid")
    else:
        op.execute(
            "UPDATE statuses SET position = ranked.n FROM "
            "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM statuses) AS ranked "
            "WHERE statuses.id = ranked.id"
        )


def downgrade() -> None:
    with op.batch_alter_table("statuses") as table:
        table.drop_column("position")
