"""The columnar slice of issues that flows from a source into the engine.

A leaf module (polars only) so that the engine can consume batches without importing
any source.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: Schema of `IssueBatch.issues` before the per-field columns.
ISSUE_COLUMNS: dict[str, type[pl.DataType]] = {
    "issue_id": pl.Int64,
    "key": pl.Utf8,
    "created_ms": pl.Int64,
    "status_id": pl.Utf8,  # current status
    "assignee": pl.Utf8,  # current assignee id, null when unassigned
    "assignee_name": pl.Utf8,
}

#: Schema of `IssueBatch.changes`.
CHANGE_COLUMNS: dict[str, type[pl.DataType]] = {
    "issue_id": pl.Int64,
    "history_id": pl.Int64,
    "ts_ms": pl.Int64,
    "field_id": pl.Utf8,  # one of `Selection.change_fields`: "status", "assignee", …
    "from_value": pl.Utf8,
    "from_string": pl.Utf8,
    "to_value": pl.Utf8,
    "to_string": pl.Utf8,
    "author": pl.Utf8,  # display name of who made the change
}


#: Schema of `IssueSource.visited_statuses`: a status id the selection's histories visit,
#: and the latest name they give it with its rank (history time, then history id), null
#: for statuses the catalog names.
VISITED_STATUS_COLUMNS: dict[str, type[pl.DataType]] = {
    "id": pl.Utf8,
    "name": pl.Utf8,
    "rank_ts": pl.Int64,
    "rank_h": pl.Int64,
}
#: A transition the whole selection makes (`IssueSource.visited_transitions`): from, to.
TRANSITION_COLUMNS: dict[str, type[pl.DataType]] = {"a": pl.Utf8, "b": pl.Utf8}


#: Type of a `values_column`: every value a field holds now, with its id where Jira has one.
FIELD_VALUES = pl.List(pl.Struct({"id": pl.Utf8, "name": pl.Utf8}))


def field_column(field_id: str) -> str:
    """Name of the column in `IssueBatch.issues` holding a field's display value."""
    return f"field:{field_id}"


def values_column(field_id: str) -> str:
    """Name of the column in `IssueBatch.issues` holding a field's current values."""
    return f"values:{field_id}"


@dataclass(frozen=True, slots=True)
class IssueBatch:
    """A slice of a selection in columnar form.

    `issues`: one row per issue in selection order, columns `ISSUE_COLUMNS` then one Utf8
    column `field_column(id)` per `Selection.fields` entry (the value as a person reads
    it; multi-valued fields joined with ", "; null when empty), then one `FIELD_VALUES`
    column `values_column(id)` per `Selection.value_fields` entry (an empty list when the
    field is empty).
    `changes`: one row per change item of the fields in `Selection.change_fields` (only those),
    columns `CHANGE_COLUMNS`, in no promised order (the engine sorts by issue, ts, history).
    """

    issues: pl.DataFrame
    changes: pl.DataFrame
