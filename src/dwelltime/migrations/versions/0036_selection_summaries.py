"""Selection summaries kept up to date by the store's writes: for a selection a page
asked about, how many of its issues hold each distinct `visited_statuses` (or
`visited_transitions`) text, so the first page after a write, or in a new process, has
the selection's count and columns without a COUNT and a DISTINCT over every issue.

Revision ID: 0036
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0030"


def upgrade() -> None:
    op.create_table(
        "selection_summaries",
        sa.Column("digest", sa.String, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("kept_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("selection_summaries")
