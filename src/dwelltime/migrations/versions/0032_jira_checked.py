"""Which issues no listing holds a sync asked Jira for by id and got back, and when.

Issues of a site that only Jira-bound exports fetched are in no sync's recorded listing;
every sync asked Jira for them by id (to delete those Jira no longer returns). A check
recorded here spares them that question until it is a day old. A store before this
revision has no checks: its next sync asks for them once, as before.

Revision ID: 0032
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0029"


def upgrade() -> None:
    op.create_table(
        "jira_checked",
        sa.Column("site", sa.String, primary_key=True),
        sa.Column("jira_id", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.String, primary_key=True),
        sa.Column("checked_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("jira_checked")
