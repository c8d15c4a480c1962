"""What the local store holds, counted: rows per table, issues per project, date span."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from dwelltime.domain.issues import STATUS_FIELD
from dwelltime.sources.store import schema


@dataclass(frozen=True, slots=True)
class ProjectCount:
    key: str
    name: str | None
    issues: int


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts of every table; the span runs from the first `created` to the last
    `updated` (or `created` when an issue was never updated)."""

    issues: int
    histories: int
    change_items: int
    status_changes: int
    statuses: int
    projects: tuple[ProjectCount, ...]
    sites: tuple[tuple[str, int], ...]  # (site, issues) in site order
    users: int
    sprints: int
    filters: int
    calendars: int
    param_sets: int
    first_created_ms: int | None
    last_updated_ms: int | None


def read_stats(connection: sa.Connection) -> StoreStats:
    """Count everything in one read."""
    issues = schema.issues

    def count(table: sa.Table) -> int:
        return connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0

    status_changes = connection.scalar(
        sa.select(sa.func.count())
        .select_from(schema.change_items)
        .where(schema.change_items.c.field_id == STATUS_FIELD)
    )
    span = connection.execute(
        sa.select(
            sa.func.min(issues.c.created_ms),
            sa.func.max(sa.func.coalesce(issues.c.updated_ms, issues.c.created_ms)),
        )
    ).one()
    per_site = connection.execute(
        sa.select(issues.c.site, sa.func.count()).group_by(issues.c.site).order_by(issues.c.site)
    ).all()
    return StoreStats(
        sites=tuple((site, number) for site, number in per_site),
        issues=count(issues),
        histories=count(schema.histories),
        change_items=count(schema.change_items),
        status_changes=status_changes or 0,
        statuses=count(schema.statuses),
        projects=tuple(project_counts(connection)),
        users=count(schema.users),
        sprints=count(schema.sprints),
        filters=count(schema.saved_filters),
        calendars=count(schema.calendars),
        param_sets=count(schema.param_sets),
        first_created_ms=span[0],
        last_updated_ms=span[1],
    )


def project_counts(connection: sa.Connection) -> list[ProjectCount]:
    """Every project that has issues, by key, with its name when the catalog has it."""
    issues = schema.issues
    rows = connection.execute(
        sa.select(issues.c.project_key, schema.projects.c.name, sa.func.count())
        .select_from(
            issues.outerjoin(schema.projects, schema.projects.c.key == issues.c.project_key)
        )
        .group_by(issues.c.project_key, schema.projects.c.name)
        .order_by(issues.c.project_key)
    ).all()
    return [ProjectCount(key, name, total) for key, name, total in rows]
