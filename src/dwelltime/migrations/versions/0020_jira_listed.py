"""What each sync's last complete listing returned, so issues that vanish are noticed.

A store synced before this revision knows the synced selections (`jira_syncs`) but not
which issues each listed: each selection is recorded as listing every issue its site
holds, by no known account (""). The next sync of it asks Jira by id for those it no
longer lists, and so also finds the issues deleted before the upgrade.

Revision ID: 0020
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0021"


def upgrade() -> None:
    op.create_table(
        "jira_listed",
        sa.Column("site", sa.String, primary_key=True),
        sa.Column("jql", sa.Text, primary_key=True),
        sa.Column("account", sa.String, primary_key=True),
        sa.Column("jira_id", sa.BigInteger, primary_key=True),
    )
    op.create_index("ix_jira_listed_site_jira_id", "jira_listed", ["site", "jira_id"])
    op.execute(
        "INSERT INTO jira_listed (site, jql, account, jira_id) "
        "SELECT s.site_url, s.jql, '', i.jira_id FROM jira_syncs s "
        "JOIN issues i ON i.site = s.site_url"
    )


def downgrade() -> None:
    op.drop_index("ix_jira_listed_site_jira_id", "jira_listed")
    op.drop_table("jira_listed")
