"""Export records and API tokens.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("output_type", sa.String, nullable=False),
        sa.Column("file_name", sa.String, nullable=False),
        sa.Column("content_type", sa.String, nullable=False),
        sa.Column("now_ms", sa.BigInteger, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("started_ms", sa.BigInteger),
        sa.Column("finished_ms", sa.BigInteger),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("completed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("file_key", sa.String),
        sa.Column("size", sa.BigInteger),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("heartbeat_ms", sa.BigInteger),
        sa.Column("abort_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_exports_owner_created", "exports", ["owner", "created_ms"])
    op.create_index("ix_exports_status", "exports", ["status"])
    op.create_table(
        "api_tokens",
        sa.Column("jti", sa.String(36), primary_key=True),
        sa.Column("user", sa.String, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("expires_ms", sa.BigInteger),
        sa.Column("revoked_ms", sa.BigInteger),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user"])


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("exports")
