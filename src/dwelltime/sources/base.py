"""The one interface every source of issues implements, and what flows through it.

A source resolves a `Selection` (which issues, which fields) and yields `IssueBatch`es:
columnar slices with complete histories, in a stable order. The engine consumes
batches and never learns whether they came from the local store or a Jira site.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

import polars as pl

from dwelltime.domain import CalendarSpec, SavedFilter, Status

FilterType = Literal["project", "user", "jqlfilter", "customjql", "sprint"]
DateRangeField = Literal["created", "resolved", "updated"]

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
    "field_id": pl.Utf8,  # "status", "assignee", or another requested field id
    "from_value": pl.Utf8,
    "from_string": pl.Utf8,
    "to_value": pl.Utf8,
    "to_string": pl.Utf8,
    "author": pl.Utf8,  # display name of who made the change
}


def field_column(field_id: str) -> str:
    """Name of the column in `IssueBatch.issues` holding a field's display value."""
    return f"field:{field_id}"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which issues a report covers and what the engine needs to know about each.

    `filter_value` is the companion of the filter type: a project key, a user id, a
    saved filter id, a JQL text or a sprint id. `start_ms`/`end_ms` bound
    `date_field` (inclusive start, exclusive end). `fields` are field ids whose
    display values the report shows or groups by; `change_fields` are field ids
    whose change items it needs besides status and assignee (dbsMetrics of type field).
    """

    filter_type: FilterType
    filter_value: str
    date_field: DateRangeField = "created"
    start_ms: int | None = None
    end_ms: int | None = None
    fields: tuple[str, ...] = ()
    change_fields: tuple[str, ...] = ()
    now_ms: int | None = None  # the report's `now`, for JQL functions such as now()


@dataclass(frozen=True, slots=True)
class IssueBatch:
    """A slice of a selection in columnar form.

    `issues`: one row per issue in selection order, columns `ISSUE_COLUMNS` then one Utf8
    column `field_column(id)` per `Selection.fields` entry (the value as a person reads
    it; multi-valued fields joined with ", "; null when empty).
    `changes`: one row per change item of status, assignee and `Selection.change_fields`,
    columns `CHANGE_COLUMNS`, in no promised order (the engine sorts by issue, ts, history).
    """

    issues: pl.DataFrame
    changes: pl.DataFrame


class IssueSource(Protocol):
    """Where issues come from; implementations: sources.local.LocalSource."""

    def statuses(self) -> list[Status]:
        """The status catalog (deleted statuses are absent; histories still name them)."""
        ...

    def count(self, selection: Selection) -> int:
        """How many issues `selection` covers, known before any batch is read."""
        ...

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        """The selected issues in a stable order, `batch_size` issues at a time."""
        ...

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        """A stored business calendar, or None."""
        ...

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        """A saved filter (for filterType=jqlfilter), or None."""
        ...
