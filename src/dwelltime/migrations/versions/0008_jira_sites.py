"""Token sites (with Jira credentials or not), sync progress, and the token of an export.

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "token_sites",
        sa.Column("token_id", sa.String(36), primary_key=True),
        sa.Column("site", sa.String, nullable=False),
        sa.Column("edition", sa.String),
        sa.Column("email", sa.String),
        sa.Column("secret", sa.Text),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "jira_syncs",
        sa.Column("site_url", sa.String, primary_key=True),
        sa.Column("jql", sa.Text, primary_key=True),
        sa.Column("watermark_ms", sa.BigInteger),
        sa.Column("synced_ms", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("exports") as batch:
        batch.add_column(sa.Column("token_id", sa.String(36)))


def downgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.drop_column("token_id")
    op.drop_table("jira_syncs")
    op.drop_table("token_sites")
