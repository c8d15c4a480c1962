"""The local issue store: issues, histories, catalogs, calendars, parameter sets.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def _issue_fk() -> sa.Column[int]:
    return sa.Column(
        "issue_id",
        sa.BigInteger,
        sa.ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("key", sa.String, nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
    )
    op.create_table(
        "statuses",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("category", sa.String),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("display_name", sa.String, nullable=False),
        sa.Column("email", sa.String),
    )
    op.create_table(
        "sprints",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("state", sa.String),
        sa.Column("board_id", sa.BigInteger),
        sa.Column("start_ms", sa.BigInteger),
        sa.Column("end_ms", sa.BigInteger),
        sa.Column("complete_ms", sa.BigInteger),
    )
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("jql", sa.Text, nullable=False),
        sa.Column("owner", sa.String),
    )
    op.create_table(
        "issues",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("key", sa.String, nullable=False, unique=True),
        sa.Column("project_key", sa.String, nullable=False, index=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("issue_type", sa.String),
        sa.Column("status_id", sa.String),
        sa.Column("status_name", sa.String),
        sa.Column("priority", sa.String),
        sa.Column("assignee_id", sa.String, index=True),
        sa.Column("assignee_name", sa.String),
        sa.Column("reporter_id", sa.String),
        sa.Column("reporter_name", sa.String),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger),
        sa.Column("resolution_date_ms", sa.BigInteger),
        sa.Column("resolution", sa.String),
        sa.Column("labels", sa.Text, nullable=False, server_default="[]"),
        sa.Column("components", sa.Text, nullable=False, server_default="[]"),
        sa.Column("fix_versions", sa.Text, nullable=False, server_default="[]"),
        sa.Column("fields", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "issue_sprints",
        _issue_fk(),
        sa.Column("sprint_id", sa.BigInteger, primary_key=True, index=True),
    )
    op.create_table(
        "histories",
        _issue_fk(),
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("author_id", sa.String),
        sa.Column("author_name", sa.String),
    )
    op.create_table(
        "change_items",
        _issue_fk(),
        sa.Column("history_id", sa.BigInteger, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("field", sa.String, nullable=False),
        sa.Column("field_id", sa.String, nullable=False),
        sa.Column("field_type", sa.String),
        sa.Column("from_value", sa.Text),
        sa.Column("from_string", sa.Text),
        sa.Column("to_value", sa.Text),
        sa.Column("to_string", sa.Text),
    )
    op.create_table(
        "calendars",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
    )
    op.create_table(
        "param_sets",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("owner", sa.String),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "param_sets",
        "calendars",
        "change_items",
        "histories",
        "issue_sprints",
        "issues",
        "saved_filters",
        "sprints",
        "users",
        "statuses",
        "projects",
    ):
        op.drop_table(table)
