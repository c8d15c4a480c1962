"""Sites: an issue is identified by (site, Jira id), its key unique within its site.

Issues stored before sites existed get the reserved site `legacy` and keep their row
ids, so their histories stay attached; an import that brings the same id and key claims
them (sources/store/writer.py). The issues table is rebuilt because SQLite cannot drop
the old UNIQUE(key) in place; migrations run with SQLite's foreign keys off (env.py) so
that dropping the old table does not cascade to the histories.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

_KEPT = (
    "id, key, project_key, summary, issue_type, status_id, status_name, priority, "
    "assignee_id, assignee_name, reporter_id, reporter_name, created_ms, updated_ms, "
    "resolution_date_ms, resolution, labels, components, fix_versions, fields"
)
_CHILDREN = ("issue_sprints", "histories", "change_items")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "issues_new",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("site", sa.String, nullable=False),
        sa.Column("jira_id", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("project_key", sa.String, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("issue_type", sa.String),
        sa.Column("status_id", sa.String),
        sa.Column("status_name", sa.String),
        sa.Column("priority", sa.String),
        sa.Column("assignee_id", sa.String),
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
        sa.UniqueConstraint("site", "jira_id", name="uq_issues_site_jira_id"),
        sa.UniqueConstraint("site", "key", name="uq_issues_site_key"),
    )
    op.execute(
        f"INSERT INTO issues_new (site, jira_id, {_KEPT}) SELECT 'legacy', id, {_KEPT} FROM issues"
    )
    op.execute("DROP TABLE issues CASCADE" if postgres else "DROP TABLE issues")
    op.rename_table("issues_new", "issues")
    op.create_index("ix_issues_project_key", "issues", ["project_key"])
    op.create_index("ix_issues_assignee_id", "issues", ["assignee_id"])
    if postgres:
        # The copied rows kept their ids; new rows must be numbered after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('issues', 'id'), "
            "COALESCE(MAX(id), 0) + 1, false) FROM issues"
        )
        for child in _CHILDREN:
            op.create_foreign_key(
                f"fk_{child}_issue_id", child, "issues", ["issue_id"], ["id"], ondelete="CASCADE"
            )


def downgrade() -> None:
    raise NotImplementedError(
        "0003 cannot be undone: issues of several sites may share an id or a key."
    )
