"""Which fields' histories a mirrored issue holds, when not all of them.

Revision ID: 0015
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "jira_history_fields",
        sa.Column("site", sa.String, primary_key=True),
        sa.Column("jira_id", sa.BigInteger, primary_key=True),
        sa.Column("fields", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("jira_history_fields")
