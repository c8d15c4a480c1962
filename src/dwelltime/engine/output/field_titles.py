"""Titles of the issue field columns (docs/reports.md, "Columns")."""

from __future__ import annotations

from collections.abc import Sequence

from dwelltime.engine.table import ColumnKind
from dwelltime.params.model import CalculatedField

SUMMARY = "summary"

#: Fields holding an instant: sources give them as UTC text (`yyyy-MM-dd HH:mm:ss`), and
#: the list shows them as DATE cells in the report's zone, so spreadsheets get real dates.
DATE_FIELDS = frozenset({"created", "updated", "resolutiondate"})

FIELD_TITLES: dict[str, str] = {
    "issuetype": "Issue Type",
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "reporter": "Reporter",
    "project": "Project",
    "created": "Created",
    "updated": "Updated",
    "resolutiondate": "Resolved",
    "resolution": "Resolution",
    "labels": "Labels",
    "components": "Components",
    "fixVersions": "Fix Versions",
    "sprint": "Sprint",
    "summary": "Summary",
    CalculatedField.PROJECT_KEY: "Project Key",
    CalculatedField.ISSUE_TYPE: "Issue Type",
    CalculatedField.CURRENT_STATUS: "Current Status",
    CalculatedField.LEAD_TIME: "Lead Time",
    CalculatedField.AGE: "Age",
}

#: Calculated fields holding calendar time (ms), rendered like durations.
DURATION_FIELDS = frozenset(calc for calc in CalculatedField if calc.is_duration)


def field_title(field_id: str) -> str:
    """A field column's title; an unknown id is its own title (`customfield_10020`)."""
    return FIELD_TITLES.get(field_id, field_id)


def field_kind(field_id: str, duration_kind: ColumnKind = ColumnKind.DURATION) -> ColumnKind:
    """How a field column's cells are typed: instants are dates, calculated durations
    `duration_kind` (text for humanReadable), the rest is text."""
    if field_id in DURATION_FIELDS:
        return duration_kind
    return ColumnKind.DATE if field_id in DATE_FIELDS else ColumnKind.TEXT


def list_fields(fields: Sequence[str]) -> list[str]:
    """The field columns after Key and Summary (Summary is always there)."""
    return [field_id for field_id in fields if field_id != SUMMARY]
