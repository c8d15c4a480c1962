"""What the store holds that a report can name: projects, saved filters, sprints and the
ids of custom fields (the page's pickers read these; statuses come from `LocalSource`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dwelltime.domain.issues import SavedFilter, SprintRef
from dwelltime.sources.store import schema
from dwelltime.sources.store.stats import ProjectCount, project_counts


def projects(engine: sa.Engine) -> list[ProjectCount]:
    with engine.connect() as connection:
        return project_counts(connection)


def saved_filters(engine: sa.Engine) -> list[SavedFilter]:
    table = schema.saved_filters
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.name, table.c.id)).all()
    return [SavedFilter(id=row.id, name=row.name, jql=row.jql, owner=row.owner) for row in rows]


def sprints(engine: sa.Engine) -> list[SprintRef]:
    """Newest first (by start, unstarted sprints first), as Jira's sprint pickers list them."""
    table = schema.sprints
    order = (table.c.start_ms.is_(None).desc(), table.c.start_ms.desc(), table.c.id.desc())
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(*order)).all()
    return [sprint_ref(row) for row in rows]


def custom_field_ids(engine: sa.Engine) -> list[str]:
    """Every key of the issues' raw `fields` JSON: one scan of the issues table."""
    if engine.dialect.name == "postgresql":
        query = "SELECT DISTINCT jsonb_object_keys(CAST(fields AS jsonb)) AS id FROM issues"
    else:
        query = "SELECT DISTINCT field.key AS id FROM issues, json_each(issues.fields) AS field"
    with engine.connect() as connection:
        return sorted(str(row.id) for row in connection.execute(sa.text(query)))


def sprint_ref(row: sa.Row[Any]) -> SprintRef:
    """A row of the sprints table (or of a select of its columns) as a SprintRef."""
    return SprintRef(
        id=row.id,
        name=row.name,
        state=row.state,
        board_id=row.board_id,
        start_ms=row.start_ms,
        end_ms=row.end_ms,
        complete_ms=row.complete_ms,
    )
