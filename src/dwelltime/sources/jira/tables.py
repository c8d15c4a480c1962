"""Tables of the Jira side of the store: which site a token reads (with its Jira
credentials, encrypted, or none: the store's copy), sync progress, what a sync's last
complete listing returned, which issues no listing holds a sync checked by id, and which
fields' histories a mirrored issue holds when it holds only some; migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

from dwelltime.db import metadata

token_sites = sa.Table(
    "token_sites",
    metadata,
    sa.Column("token_id", sa.String(36), primary_key=True),
    sa.Column("site", sa.String, nullable=False),  # a Jira base URL or a reserved site
    sa.Column("edition", sa.String),  # cloud | datacenter; None: read the store only
    sa.Column("email", sa.String),
    sa.Column("secret", sa.Text),  # a Fernet token, never the plain text
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

# An issue of a site with no row here holds every field's history (imported, synced or
# fetched whole); a row lists the only fields whose histories were fetched (bulkfetch
# with `fieldIds`), as a JSON list.
jira_history_fields = sa.Table(
    "jira_history_fields",
    metadata,
    sa.Column("site", sa.String, primary_key=True),
    sa.Column("jira_id", sa.BigInteger, primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
)

# What the last complete sync of (site, JQL) listed as `account` (who the credentials
# authenticate as; "" for a listing recorded before accounts were, migration 0020): an id
# recorded here but missing from the next listing has vanished from the selection.
jira_listed = sa.Table(
    "jira_listed",
    metadata,
    sa.Column("site", sa.String, primary_key=True),
    sa.Column("jql", sa.Text, primary_key=True),
    sa.Column("account", sa.String, primary_key=True),
    sa.Column("jira_id", sa.BigInteger, primary_key=True),
    sa.Index("ix_jira_listed_site_jira_id", "site", "jira_id"),
)

# Issues no recorded listing holds (only Jira-bound exports fetched them) that a sync of
# `account` asked Jira for by id and got back, at `checked_ms`: not asked again until the
# check is `listed.RECHECK_AFTER_MS` old.
jira_checked = sa.Table(
    "jira_checked",
    metadata,
    sa.Column("site", sa.String, primary_key=True),
    sa.Column("jira_id", sa.BigInteger, primary_key=True),
    sa.Column("account", sa.String, primary_key=True),
    sa.Column("checked_ms", sa.BigInteger, nullable=False),
)

# What the last Jira-bound export of (site, JQL) as `reader` (the Cloud account's email)
# confirmed: every issue of `jira_ids` (sorted int64, little-endian) was as new in the
# store as in Jira at `confirmed_ms` (this server's clock, taken before its listing
# began). The next export then lists only ids and asks Jira for what changed since
# (`confirmed`); one row per selection, so confirming 30,000 issues writes one value.
# `statuses`: the site's catalog as Jira listed it then (JSON, migration 0039), which the
# next export computes with while Jira is asked (`guess`).
jira_confirmed = sa.Table(
    "jira_confirmed",
    metadata,
    sa.Column("site", sa.String, primary_key=True),
    sa.Column("jql", sa.Text, primary_key=True),
    sa.Column("reader", sa.String, primary_key=True),
    sa.Column("confirmed_ms", sa.BigInteger, nullable=False),
    sa.Column("jira_ids", sa.LargeBinary, nullable=False),
    sa.Column("row_ids", sa.LargeBinary),  # the store's rows of them, aligned, valid while
    sa.Column("generation", sa.BigInteger),  # the store is at this generation
    sa.Column("statuses", sa.Text),
)
