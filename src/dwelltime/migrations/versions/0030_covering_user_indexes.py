"""The user selection's indexes on PostgreSQL carry the issue's row id (`INCLUDE`), so a
person's issues are found by index-only scans: a PostgreSQL index points at the row's
place in the table, not at its `id` the way SQLite's points at the rowid, and reading the
table's rows for their ids was the cost at a million issues (~77,000 rows a person, each
a random read of a 1 GB table). The indexes are rebuilt with the same names and keys.
SQLite's indexes already hold the rowid: nothing changes there.

Revision ID: 0030
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0032"

_ITEM_COLUMNS = ("from_value", "to_value", "from_string", "to_string")
_ASSIGNEE_ITEM = sa.text("field_id = 'assignee'")


def _rebuild(covering: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in ("assignee_id", "assignee_name"):
        name = f"ix_issues_{column}"
        op.drop_index(name, "issues")
        op.create_index(name, "issues", [column], postgresql_include=["id"] if covering else [])
    for column in _ITEM_COLUMNS:
        name = f"ix_change_items_assignee_{column}"
        op.drop_index(name, "change_items")
        op.create_index(
            name,
            "change_items",
            [column],
            postgresql_where=_ASSIGNEE_ITEM,
            postgresql_include=["issue_id"] if covering else [],
        )


def upgrade() -> None:
    _rebuild(covering=True)


def downgrade() -> None:
    _rebuild(covering=False)
