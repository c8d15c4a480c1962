"""The reference model's calculated fields (SPEC §8.5), from the issue's own attributes."""

from __future__ import annotations

from collections.abc import Sequence

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from tests.engine.reference.clock import working_ms

DURATIONS = ("calc:leadTime", "calc:age")


def is_calculated(field_id: str) -> bool:
    return field_id.startswith("calc:")


def calculated(
    issue: Issue,
    field_id: str,
    catalog: Sequence[Status],
    calendar: CalendarSpec | None,
    now_ms: int,
) -> str | int | None:
    """The value of a `calc:` field: text, or exact milliseconds for the durations."""
    if field_id == "calc:projectKey":
        return issue.project_key
    if field_id == "calc:issueType":
        return issue.issue_type
    if field_id == "calc:currentStatus":
        for status in catalog:
            if status.id == issue.status_id:
                return status.name
        return issue.status_name or issue.status_id
    if field_id == "calc:leadTime":
        if issue.resolution_date_ms is None:
            return None
        resolved = issue.resolution_date_ms - issue.resolution_date_ms % 1000  # to the second
        return working_ms(calendar, issue.created_ms, max(resolved, issue.created_ms))
    assert field_id == "calc:age", field_id
    return working_ms(calendar, issue.created_ms, max(now_ms, issue.created_ms))
