"""Which issues a report covers: the filter part of the parameters, as sources take it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD

FilterType = Literal["project", "user", "jqlfilter", "customjql", "sprint"]
DateRangeField = Literal["created", "resolved", "updated"]


@dataclass(frozen=True, slots=True)
class Selection:
    """Which issues a report covers and what the engine needs to know about each.

    `filter_value` is the companion of the filter type: a project key, a user id, a
    saved filter id, a JQL text or a sprint id. `start_ms`/`end_ms` bound
    `date_field` (inclusive start, exclusive end). `fields` are field ids whose
    display values the report shows or groups by; `change_fields` are exactly the field
    ids whose change items it needs (`ReportParams.change_fields`: status, the assignee
    for assignee reports, the any-field reports' `historyFields`, dbsMetrics of type
    field); sources read no others. `change_authors` says whether the report shows who
    made a change (`ReportParams.reads_authors`); without it a source leaves the changes'
    `author` null instead of reading it. `value_fields` are field ids whose current values it
    needs one by one, with their ids (`IssueBatch`, `values_column`).
    `site`, when set, keeps only that site's issues (`domain.sites`); None covers every
    site the source holds.
    `start_index`/`max_issues` window the selected issues in their stable order, so a
    synchronous page reads only its own issues (SPEC §8.3). With `after` (a keyset: the
    report-order key of the issue before the window, `IssueSource.resume_key`) the window
    starts after that issue instead, and `start_index` only numbers its issues, so an issue
    stored mid-walk does not move later pages. `ceiling` (`IssueSource.newest_row`) keeps
    only the issues a source held when a walk began.
    """

    filter_type: FilterType
    filter_value: str
    date_field: DateRangeField = "created"
    start_ms: int | None = None
    end_ms: int | None = None
    fields: tuple[str, ...] = ()
    change_fields: tuple[str, ...] = (STATUS_FIELD, ASSIGNEE_FIELD)
    change_authors: bool = True
    value_fields: tuple[str, ...] = ()
    now_ms: int | None = None  # the report's `now`, for JQL functions such as now()
    site: str | None = None
    start_index: int = 0
    max_issues: int | None = None
    after: tuple[Any, ...] | None = None
    ceiling: int | None = None

    def whole(self) -> Selection:
        """The same selection without its window."""
        return replace(self, start_index=0, max_issues=None, after=None)
