"""What a Jira-bound export last confirmed current, per (site, JQL, reader): when, and
which issues, so the next export lists ids only and asks Jira for what changed since.

A store before this revision has no record: the next export of each selection lists
`updated` as before and records what it confirmed. No issue row is rewritten.

Revision ID: 0037
Revises: 0036
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"


def upgrade() -> None:
    op.create_table(
        "jira_confirmed",
        sa.Column("site", sa.String, primary_key=True),
        sa.Column("jql", sa.Text, primary_key=True),
        sa.Column("reader", sa.String, primary_key=True),
        sa.Column("confirmed_ms", sa.BigInteger, nullable=False),
        sa.Column("jira_ids", sa.LargeBinary, nullable=False),
        sa.Column("row_ids", sa.LargeBinary),
        sa.Column("generation", sa.BigInteger),
    )


def downgrade() -> None:
    op.drop_table("jira_confirmed")
