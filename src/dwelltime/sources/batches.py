"""Building `IssueBatch`es from `Issue` objects (demo data, tests, small imports).

The local store builds its batches straight from SQL; this is the reference way for
anything that already holds domain objects, and it defines what a batch must contain.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dwelltime.domain.issue_batch import CHANGE_COLUMNS, ISSUE_COLUMNS, IssueBatch, field_column
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue
from dwelltime.sources.fields import display_columns, raw_columns


def batch_from_issues(
    issues: Sequence[Issue],
    fields: Sequence[str] = (),
    change_fields: Sequence[str] = (STATUS_FIELD, ASSIGNEE_FIELD),
) -> IssueBatch:
    """One batch holding `issues` with the display values of `fields` and the change
    items of `change_fields` (only those)."""
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
                change_rows["author"].append(history.author_name)
    issue_frame = pl.DataFrame(issue_rows, schema=ISSUE_COLUMNS)
    shown = display_columns(
        _raw_frame(issues, fields),
        fields,
        lambda field_id: [issue.fields.get(field_id) for issue in issues],
        field_column,
    )
    return IssueBatch(
        issues=issue_frame.with_columns(shown),
        changes=pl.DataFrame(change_rows, schema=CHANGE_COLUMNS),
    )


def _raw_frame(issues: Sequence[Issue], fields: Sequence[str]) -> pl.DataFrame:
    """The promoted columns `fields` read, from the issues' attributes."""
    columns = raw_columns(fields)
    return pl.DataFrame(
        {name: [_raw_value(issue, name) for issue in issues] for name in columns},
        schema=columns,
    )


def _raw_value(issue: Issue, column: str) -> object:
    if column == "sprints":
        return [sprint.name for sprint in issue.sprints]
    value = getattr(issue, column)
    return list(value) if isinstance(value, tuple) else value
