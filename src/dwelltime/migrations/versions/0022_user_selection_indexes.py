"""Indexes for the user selection (assigned to someone now or at any time, by account id
or display name): without them both engines read every assignee change item, SQLite
every change item and every issue, to select one user's issues.

The issue's display name gets a plain index (its account id has one since 0003); each
of the four change item columns one partial on the assignee field, which keeps them to
the assignee items (a tenth of the demo store's change items).

Revision ID: 0022
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"

_ITEM_COLUMNS = ("from_value", "to_value", "from_string", "to_string")
_ASSIGNEE_ITEM = sa.text("field_id = 'assignee'")


def upgrade() -> None:
    op.create_index("ix_issues_assignee_name", "issues", ["assignee_name"])
    for column in _ITEM_COLUMNS:
        op.create_index(
            f"ix_change_items_assignee_{column}",
            "change_items",
            [column],
            sqlite_where=_ASSIGNEE_ITEM,
            postgresql_where=_ASSIGNEE_ITEM,
        )


def downgrade() -> None:
    for column in _ITEM_COLUMNS:
        op.drop_index(f"ix_change_items_assignee_{column}", "change_items")
    op.drop_index("ix_issues_assignee_name", "issues")
