"""The summary of a finished export (the page's chart), kept with its record.

Revision ID: 0014
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.add_column(sa.Column("summary", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.drop_column("summary")
