"""Admin tokens and public parameter sets (SPEC §8.1).

Sets saved without an owner were usable by everyone before; they stay so (public).

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("admin", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("param_sets") as table:
        table.add_column(sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()))
    param_sets = sa.table("param_sets", sa.column("owner"), sa.column("public"))
    op.execute(param_sets.update().where(param_sets.c.owner.is_(None)).values(public=True))


def downgrade() -> None:
    with op.batch_alter_table("param_sets") as table:
        table.drop_column("public")
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("admin")
