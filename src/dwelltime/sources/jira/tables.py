"""Tables of the Jira side of the store: token bindings (credentials encrypted) and sync
progress; migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

from dwelltime.db import metadata

jira_bindings = sa.Table(
    "jira_bindings",
    metadata,
    sa.Column("token_id", sa.String(36), primary_key=True),
    sa.Column("site_url", sa.String, nullable=False),
    sa.Column("edition", sa.String, nullable=False),
    sa.Column("email", sa.String),
    sa.Column("secret", sa.Text, nullable=False),  # Fernet token, never the plain text
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

jira_syncs = sa.Table(
    "jira_syncs",
    metadata,
    sa.Column("site_url", sa.String, primary_key=True),
    sa.Column("jql", sa.Text, primary_key=True),
    sa.Column("watermark_ms", sa.BigInteger),  # newest `updated` of the last complete sync
    sa.Column("synced_ms", sa.BigInteger, nullable=False),
)
