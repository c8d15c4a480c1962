"""Building `IssueBatch`es from `Issue` objects (demo data, tests, small imports).

The local store builds its batches straight from SQL; this is the reference way for
anything that already holds domain objects, and it defines what a batch must contain.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dwelltime.domain.issue_batch import (
    CHANGE_COLUMNS,
    FIELD_VALUES,
    ISSUE_COLUMNS,
    IssueBatch,
    field_column,
    values_column,
)
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue
from dwelltime.sources.fields import display_value, field_values


def batch_from_issues(
    issues: Sequence[Issue],
    fields: Sequence[str] = (),
    change_fields: Sequence[str] = (),
    value_fields: Sequence[str] = (),
) -> IssueBatch:
    """One batch holding `issues` with the display values of `fields`, the change items
    of status, assignee and `change_fields`, and the current values of `value_fields`."""
    wanted = {STATUS_FIELD, ASSIGNEE_FIELD, *change_fields}
    issue_rows: dict[str, list[object]] = {name: [] for name in ISSUE_COLUMNS}
    field_rows: dict[str, list[str | None]] = {field_column(f): [] for f in fields}
    change_rows: dict[str, list[object]] = {name: [] for name in CHANGE_COLUMNS}
    for issue in issues:
        issue_rows["issue_id"].append(issue.id)
        issue_rows["key"].append(issue.key)
        issue_rows["created_ms"].append(issue.created_ms)
        issue_rows["status_id"].append(issue.status_id)
        issue_rows["assignee"].append(issue.assignee_id)
        issue_rows["assignee_name"].append(issue.assignee_name)
        for field_id in fields:
            field_rows[field_column(field_id)].append(display_value(issue, field_id))
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
    issue_frame = pl.DataFrame(
        {**issue_rows, **field_rows},
        schema={**ISSUE_COLUMNS, **dict.fromkeys(field_rows, pl.Utf8)},
    ).with_columns(current_values(issues, value_fields))
    return IssueBatch(issues=issue_frame, changes=pl.DataFrame(change_rows, schema=CHANGE_COLUMNS))


def current_values(issues: Sequence[Issue], value_fields: Sequence[str]) -> list[pl.Series]:
    """The `values_column` of each of `value_fields`, one list of (id, name) per issue.

    Built from flat columns and grouped into lists by polars: constructing nested values
    from Python lists of dicts costs ~40x more."""
    columns = []
    order = pl.DataFrame({"row": range(len(issues))}, schema={"row": pl.Int64})
    for field_id in value_fields:
        rows: list[int] = []
        ids: list[str | None] = []
        names: list[str] = []
        for row, issue in enumerate(issues):
            for ident, name in field_values(issue, field_id):
                rows.append(row)
                ids.append(ident)
                names.append(name)
        flat = pl.DataFrame(
            {"row": rows, "id": ids, "name": names},
            schema={"row": pl.Int64, "id": pl.Utf8, "name": pl.Utf8},
        )
        name = values_column(field_id)
        lists = flat.group_by("row", maintain_order=True).agg(pl.struct("id", "name").alias(name))
        joined = order.join(lists, on="row", how="left", maintain_order="left")
        columns.append(joined[name].fill_null(pl.lit([], FIELD_VALUES)).cast(FIELD_VALUES))
    return columns
