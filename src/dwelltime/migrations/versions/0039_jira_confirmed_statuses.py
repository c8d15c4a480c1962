"""The status catalog Jira listed when an export confirmed a selection (`jira_confirmed`):
the next export computes from the store's copy with that catalog while Jira is asked,
and keeps the result only if Jira lists the same catalog again.

A record before this revision has no catalog: its next export asks Jira first, as
before, and records one. No issue row is rewritten.

Revision ID: 0039
Revises: 0037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0037"


def upgrade() -> None:
    with op.batch_alter_table("jira_confirmed") as batch:
        batch.add_column(sa.Column("statuses", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("jira_confirmed") as batch:
        batch.drop_column("statuses")
