"""Jira token bindings, sync progress, and the token an export was started with.

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
        "jira_bindings",
        sa.Column("token_id", sa.String(36), primary_key=True),
        sa.Column("site_url", sa.String, nullable=False),
        sa.Column("edition", sa.String, nullable=False),
        sa.Column("email", sa.String),
        sa.Column("secret", sa.Text, nullable=False),
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
    op.drop_table("jira_bindings")
