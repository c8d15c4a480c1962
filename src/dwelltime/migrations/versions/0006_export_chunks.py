"""Fan-out of huge exports: chunk and merge units, their runs, and dispatch times.

Revision ID: 0006
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0014"


def upgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.add_column(sa.Column("dispatched_ms", sa.BigInteger))
        batch.add_column(sa.Column("chunks", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "export_units",
        sa.Column("export_id", sa.String(36), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("first", sa.Integer, nullable=False),
        sa.Column("stop", sa.Integer, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("token", sa.String(36)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("completed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("batches", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("dispatched_ms", sa.BigInteger),
        sa.Column("heartbeat_ms", sa.BigInteger),
    )
    op.create_index("ix_export_units_status", "export_units", ["status"])
    op.create_table(
        "export_unit_runs",
        sa.Column("token", sa.String(36), primary_key=True),
        sa.Column("export_id", sa.String(36), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("worker", sa.String, nullable=False),
        sa.Column("started_ms", sa.BigInteger, nullable=False),
        sa.Column("beat_ms", sa.BigInteger, nullable=False),
        sa.Column("ended_ms", sa.BigInteger),
        sa.Column("outcome", sa.String),
    )
    op.create_index("ix_export_unit_runs_unit", "export_unit_runs", ["export_id", "idx"])


def downgrade() -> None:
    op.drop_table("export_unit_runs")
    op.drop_table("export_units")
    with op.batch_alter_table("exports") as batch:
        batch.drop_column("chunks")
        batch.drop_column("dispatched_ms")
