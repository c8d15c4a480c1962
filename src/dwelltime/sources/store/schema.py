"""Tables of the local issue store (SQLAlchemy Core); migrations/ creates them.

Instants are epoch milliseconds (BigInteger) so that reads feed the engine's int64
arrays without parsing. Multi-valued fields (labels, components, …) are JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa

from dwelltime.db import metadata
from dwelltime.domain.issues import ASSIGNEE_FIELD

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("key", sa.String, nullable=False, unique=True),
    sa.Column("name", sa.String, nullable=False),
)

statuses = sa.Table(
    "statuses",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("category", sa.String),
    # The catalog's order as imported (Jira's /status order), numbered by the writer:
    # SQLite's rowid kept it, but PostgreSQL has no insertion order to read back.
    sa.Column("position", sa.Integer),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("display_name", sa.String, nullable=False),
    sa.Column("email", sa.String),
)

sprints = sa.Table(
    "sprints",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("state", sa.String),
    sa.Column("board_id", sa.BigInteger),
    sa.Column("start_ms", sa.BigInteger),
    sa.Column("end_ms", sa.BigInteger),
    sa.Column("complete_ms", sa.BigInteger),
)

saved_filters = sa.Table(
    "saved_filters",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("jql", sa.Text, nullable=False),
    sa.Column("owner", sa.String),
)

#: The store's own row id: SQLite auto-numbers only an INTEGER PRIMARY KEY.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# `id` is the store's row id, which histories and change items point at; an issue's
# identity is (site, jira_id) and its key is unique within its site (domain.sites).
issues = sa.Table(
    "issues",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("site", sa.String, nullable=False),
    sa.Column("jira_id", sa.BigInteger, nullable=False),
    sa.Column("key", sa.String, nullable=False),
    sa.Column("project_key", sa.String, nullable=False, index=True),
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
    # Every status the issue's history visits, as ",1,3,10001,": kept by the writer so
    # that a page can learn the whole selection's status columns from these rows alone.
    sa.Column("visited_statuses", sa.Text),
    # Every (from, to) status transition the history makes, as ",1>3,3>5,": the columns
    # of a transitionCount report the same way (migration 0029).
    sa.Column("visited_transitions", sa.Text),
    sa.UniqueConstraint("site", "jira_id", name="uq_issues_site_jira_id"),
    sa.UniqueConstraint("site", "key", name="uq_issues_site_key"),
)
# The project selection (`lower(project_key) = …`, in Jira id order); migration 0019.
sa.Index(
    "ix_issues_project_lower_order",
    sa.func.lower(issues.c.project_key),
    issues.c.jira_id,
    issues.c.site,
)
# Every other selection's report order (Jira id, then site); migration 0023.
sa.Index("ix_issues_report_order", issues.c.jira_id, issues.c.site)

issue_sprints = sa.Table(
    "issue_sprints",
    metadata,
    sa.Column(
        "issue_id", sa.BigInteger, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("sprint_id", sa.BigInteger, primary_key=True, index=True),
)

histories = sa.Table(
    "histories",
    metadata,
    sa.Column(
        "issue_id", sa.BigInteger, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("author_id", sa.String),
    sa.Column("author_name", sa.String),
)

change_items = sa.Table(
    "change_items",
    metadata,
    sa.Column(
        "issue_id", sa.BigInteger, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    ),
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

# The user selection: the issues assigned to someone now or in their history, by account
# id or display name, each column one index range (migrations 0003 and 0022). The change
# item indexes hold only assignee items (a tenth of the demo store's), so imports pay
# little. On PostgreSQL each carries the issue's row id, so that the ranges are index-only
# scans (migration 0030); SQLite's hold the rowid anyway.
_ASSIGNEE_ITEM = change_items.c.field_id == ASSIGNEE_FIELD
ASSIGNEE_ID_INDEX = sa.Index(
    "ix_issues_assignee_id", issues.c.assignee_id, postgresql_include=["id"]
)
USER_SELECTION_INDEXES = (
    sa.Index("ix_issues_assignee_name", issues.c.assignee_name, postgresql_include=["id"]),
    *(
        sa.Index(
            f"ix_change_items_assignee_{column.name}",
            column,
            sqlite_where=_ASSIGNEE_ITEM,
            postgresql_where=_ASSIGNEE_ITEM,
            postgresql_include=["issue_id"],
        )
        for column in (
            change_items.c.from_value,
            change_items.c.to_value,
            change_items.c.from_string,
            change_items.c.to_string,
        )
    ),
)

# Each issue's change items of one field, packed for the reports' reads (`tracks`);
# written beside `change_items` by the store writer, migrations 0021 and 0028.
change_tracks = sa.Table(
    "change_tracks",
    metadata,
    sa.Column(
        "issue_id", sa.BigInteger, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("field_id", sa.String, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("numbers", sa.LargeBinary, nullable=False),
    sa.Column("codes", sa.LargeBinary, nullable=False),
)

# Every text a change track holds, once: the tracks hold these ids (`tracks`, 0028).
track_texts = sa.Table(
    "track_texts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("text", sa.String, nullable=False),
)

# One row: the generation every write of issue data bumps (`generation`, migration 0027).
store_generation = sa.Table(
    "store_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False),
)

# Per selection a page asked about (its SQL condition, values written in; `digest` is
# the SHA-256 of kind and condition) and kind of column, how many issues hold each packed
# text; every write keeps them true under its generation (`summaries`, migration 0036).
selection_summaries = sa.Table(
    "selection_summaries",
    metadata,
    sa.Column("digest", sa.String, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("condition", sa.Text, nullable=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("kept_ms", sa.BigInteger, nullable=False),
)

calendars = sa.Table(
    "calendars",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
)

param_sets = sa.Table(
    "param_sets",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("owner", sa.String),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
)
