"""An index for the project selection, which matches the key ignoring case and lists the
issues in Jira id order: without it PostgreSQL read every issue of the store to select one
project (EXPLAIN on 100,000 issues: a sequential scan and a sort).

Revision ID: 0019
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"

INDEX = "ix_issues_project_lower_order"


def upgrade() -> None:
    op.create_index(
        INDEX, "issues", [sa.text("lower(project_key)"), sa.text("jira_id"), sa.text("site")]
    )


def downgrade() -> None:
    op.drop_index(INDEX, "issues")
