"""Building `IssueBatch`es from `Issue` objects (demo data, tests, small imports).

The local store builds its batches straight from SQL; this is the reference way for
anything that already holds domain objects, and it defines what a batch must contain.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dwelltime.domain.issue_batch import (
    CHANGE_COLUMNS,
    ISSUE_COLUMNS,
    IssueBatch,
    field_column,
    values_column,
)
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue
from dwelltime.sources.fields import (
    SPRINT_VALUES,
    display_columns,
    raw_columns,
    value_columns,
    value_raw_columns,
)


def batch_from_issues(
    issues: Sequence[Issue],
    fields: Sequence[str] = (),
    change_fields: Sequence[str] = (STATUS_FIELD, ASSIGNEE_FIELD),
    value_fields: Sequence[str] = (),
    *,
    authors: bool = True,
) -> IssueBatch:
    """One batch holding `issues` with the display values of `fields`, the change items
    of `change_fields` (only those; their authors null without `authors`, as the store
    reads them for `Selection.change_authors`) and the current values of `value_fields`."""
    wanted = set(change_fields)
    issue_rows: dict[str, list[object]] = {name: [] for name in ISSUE_COLUMNS}
    change_rows: dict[str, list[object]] = {name: [] for name in CHANGE_COLUMNS}
    for issue in issues:
        issue_rows["issue_id"].append(issue.id)
        issue_rows["key"].append(issue.key)
        issue_rows["created_ms"].append(issue.created_ms)
        issue_rows["status_id"].append(issue.status_id)
        issue_rows["assignee"].append(issue.assignee_id)
        issue_rows["assignee_name"].append(issue.assignee_name)
        for history in issue.histories:
            for item in history.items:
                field_id = item.effective_field_id
                if field_id not in wanted:
                    continue
                change_rows["issue_id"].append(issue.id)
                change_rows["history_id"].append(history.id)
                change_rows["ts_ms"].append(history.created_ms)
                change_rows["field_id"].append(field_id)
                change_rows["from_value"].append(item.from_value)
                change_rows["from_string"].append(item.from_string)
                change_rows["to_value"].append(item.to_value)
                change_rows["to_string"].append(item.to_string)
                change_rows["author"].append(history.author_name if authors else None)
    issue_frame = pl.DataFrame(issue_rows, schema=ISSUE_COLUMNS)

    def custom(field_id: str) -> list[object]:
        return [issue.fields.get(field_id) for issue in issues]

    shown = display_columns(_raw_frame(issues, raw_columns(fields)), fields, custom, field_column)
    raw_values = _raw_frame(issues, value_raw_columns(value_fields))
    values = value_columns(raw_values, len(issues), value_fields, custom, values_column)
    return IssueBatch(
        issues=issue_frame.with_columns(shown + values),
        changes=pl.DataFrame(change_rows, schema=CHANGE_COLUMNS),
    )


def _raw_frame(issues: Sequence[Issue], columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """The raw `columns` of promoted fields, from the issues' attributes."""
    return pl.DataFrame(
        {name: [_raw_value(issue, name) for issue in issues] for name in columns},
        schema=columns,
    )


def _raw_value(issue: Issue, column: str) -> object:
    if column == "sprints":
        return [sprint.name for sprint in issue.sprints]
    if column == SPRINT_VALUES:
        return [{"id": str(sprint.id), "name": sprint.name} for sprint in issue.sprints]
    value = getattr(issue, column)
    return list(value) if isinstance(value, tuple) else value
