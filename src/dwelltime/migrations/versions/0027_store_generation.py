"""The store's generation: one counter every write of issue data bumps in its own
transaction, so a process can tell in one cheap query whether what it learnt about a
selection (its count, its visited statuses) still holds, whichever process wrote since.

Revision ID: 0027
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0020"


def upgrade() -> None:
    table = op.create_table(
        "store_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("store_generation")
