"""Which issues a report covers: the filter part of the parameters, as sources take it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FilterType = Literal["project", "user", "jqlfilter", "customjql", "sprint"]
DateRangeField = Literal["created", "resolved", "updated"]


@dataclass(frozen=True, slots=True)
class Selection:
    """Which issues a report covers and what the engine needs to know about each.

    `filter_value` is the companion of the filter type: a project key, a user id, a
    saved filter id, a JQL text or a sprint id. `start_ms`/`end_ms` bound
    `date_field` (inclusive start, exclusive end). `fields` are field ids whose
    display values the report shows or groups by; `change_fields` are field ids
    whose change items it needs besides status and assignee (dbsMetrics of type field,
    the any-field reports' `historyFields`); `value_fields` are field ids whose current
    values it needs one by one, with their ids (`IssueBatch`, `values_column`).
    """

    filter_type: FilterType
    filter_value: str
    date_field: DateRangeField = "created"
    start_ms: int | None = None
    end_ms: int | None = None
    fields: tuple[str, ...] = ()
    change_fields: tuple[str, ...] = ()
    value_fields: tuple[str, ...] = ()
    now_ms: int | None = None  # the report's `now`, for JQL functions such as now()
