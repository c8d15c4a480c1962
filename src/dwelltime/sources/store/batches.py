"""`IssueBatch`es read straight from the store's tables for a list of issue ids.

The engine reads every history of every selected issue, so the change items take the fast
path of `store_changes`; field display values reuse `sources.fields` so that they match
`batch_from_issues` exactly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import ISSUE_COLUMNS, IssueBatch, field_column
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue, SprintRef
from dwelltime.domain.selection import Selection
from dwelltime.sources.batches import current_values
from dwelltime.sources.fields import display_value
from dwelltime.sources.store import schema
from dwelltime.sources.store.changes import read_changes
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder

_ISSUES_SQL = """
SELECT id, key, created_ms, status_id, assignee_id, assignee_name FROM issues WHERE id IN ({ids})
"""


def read_batch(connection: sa.Connection, ids: Sequence[int], selection: Selection) -> IssueBatch:
    """The batch of `ids` (in that order) with what `selection` asks for."""
    if selection.fields or selection.value_fields:
        rows = _full_issue_rows(connection, ids)
        header = [
            (row.id, row.key, row.created_ms, row.status_id, row.assignee_id, row.assignee_name)
            for row in rows
        ]
        issues = pl.DataFrame(header, schema=ISSUE_COLUMNS, orient="row")
        issues = issues.with_columns(_field_columns(connection, rows, selection))
    else:
        issues = _issue_header(connection, ids)
    wanted = list(dict.fromkeys((STATUS_FIELD, ASSIGNEE_FIELD, *selection.change_fields)))
    return IssueBatch(issues=issues, changes=read_changes(connection, ids, wanted))


def _issue_header(connection: sa.Connection, ids: Sequence[int]) -> pl.DataFrame:
    """The ISSUE_COLUMNS of `ids`, in that order: the fast path without field values."""
    mark = placeholder(connection)
    rows: list[Any] = []
    for chunk in id_chunks(ids):
        marks = ", ".join(mark for _ in chunk)
        rows.extend(fetch_tuples(connection, _ISSUES_SQL.format(ids=marks), tuple(chunk)))
    frame = pl.DataFrame(rows, schema=ISSUE_COLUMNS, orient="row")
    order = pl.DataFrame({"issue_id": ids}, schema={"issue_id": pl.Int64})
    return order.join(frame, on="issue_id", how="left", maintain_order="left")


def _full_issue_rows(connection: sa.Connection, ids: Sequence[int]) -> list[sa.Row[Any]]:
    table = schema.issues
    found: dict[int, sa.Row[Any]] = {}
    for chunk in id_chunks(ids):
        query = sa.select(table).where(table.c.id.in_(chunk))
        found.update((row.id, row) for row in connection.execute(query))
    return [found[issue_id] for issue_id in ids]


def _field_columns(
    connection: sa.Connection, rows: list[sa.Row[Any]], selection: Selection
) -> list[pl.Series]:
    sprints = _sprints(connection, [row.id for row in rows])
    issues = [_issue(row, sprints.get(row.id, ())) for row in rows]
    displayed = [
        pl.Series(field_column(field_id), [display_value(i, field_id) for i in issues], pl.Utf8)
        for field_id in selection.fields
    ]
    return displayed + current_values(issues, selection.value_fields)


def _sprints(connection: sa.Connection, ids: list[int]) -> dict[int, tuple[SprintRef, ...]]:
    links, sprints = schema.issue_sprints, schema.sprints
    found: defaultdict[int, list[SprintRef]] = defaultdict(list)
    for chunk in id_chunks(ids):
        query = (
            sa.select(links.c.issue_id, sprints)
            .join(sprints, sprints.c.id == links.c.sprint_id)
            .where(links.c.issue_id.in_(chunk))
            .order_by(links.c.issue_id, sprints.c.id)
        )
        for row in connection.execute(query):
            found[row.issue_id].append(
                SprintRef(
                    id=row.id,
                    name=row.name,
                    state=row.state,
                    board_id=row.board_id,
                    start_ms=row.start_ms,
                    end_ms=row.end_ms,
                    complete_ms=row.complete_ms,
                )
            )
    return {issue_id: tuple(refs) for issue_id, refs in found.items()}


def _issue(row: sa.Row[Any], sprints: tuple[SprintRef, ...]) -> Issue:
    """The issue a row holds (without histories), for `display_value`."""
    return Issue(
        id=row.id,
        key=row.key,
        project_key=row.project_key,
        summary=row.summary,
        created_ms=row.created_ms,
        status_id=row.status_id,
        status_name=row.status_name,
        issue_type=row.issue_type,
        priority=row.priority,
        assignee_id=row.assignee_id,
        assignee_name=row.assignee_name,
        reporter_id=row.reporter_id,
        reporter_name=row.reporter_name,
        updated_ms=row.updated_ms,
        resolution_date_ms=row.resolution_date_ms,
        resolution=row.resolution,
        labels=tuple(json.loads(row.labels)),
        components=tuple(json.loads(row.components)),
        fix_versions=tuple(json.loads(row.fix_versions)),
        sprints=sprints,
        fields=json.loads(row.fields),
    )
