"""Display values of issue fields, as a person reads them in a report column.

The promoted fields have fixed Jira ids; any other id is looked up in the issue's raw
`fields` JSON and rendered from the usual Jira value shapes (name/value/displayName
objects, lists of them, plain scalars).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dwelltime.domain.issues import Issue


def _instant(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _joined(values: tuple[str, ...]) -> str | None:
    return ", ".join(values) if values else None


PROMOTED: dict[str, Callable[[Issue], str | None]] = {
    "key": lambda issue: issue.key,
    "summary": lambda issue: issue.summary,
    "issuetype": lambda issue: issue.issue_type,
    "status": lambda issue: issue.status_name,
    "priority": lambda issue: issue.priority,
    "assignee": lambda issue: issue.assignee_name,
    "reporter": lambda issue: issue.reporter_name,
    "project": lambda issue: issue.project_key,
    "created": lambda issue: _instant(issue.created_ms),
    "updated": lambda issue: _instant(issue.updated_ms),
    "resolutiondate": lambda issue: _instant(issue.resolution_date_ms),
    "resolution": lambda issue: issue.resolution,
    "labels": lambda issue: _joined(issue.labels),
    "components": lambda issue: _joined(issue.components),
    "fixVersions": lambda issue: _joined(issue.fix_versions),
    "sprint": lambda issue: _joined(tuple(sprint.name for sprint in issue.sprints)),
}


def render_json_value(value: Any) -> str | None:
    """A raw Jira field value as text: objects by their name, lists joined."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        parts = [part for part in (render_json_value(item) for item in value) if part]
        return ", ".join(parts) if parts else None
    if isinstance(value, dict):
        for key in ("displayName", "name", "value", "key", "id"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: One value of a field as the any-field reports identify it: (id or None, name).
FieldValue = tuple[str | None, str]

_PROMOTED_VALUES: dict[str, Callable[[Issue], list[tuple[str | None, str | None]]]] = {
    "status": lambda issue: [(issue.status_id, issue.status_name or issue.status_id)],
    "assignee": lambda issue: [(issue.assignee_id, issue.assignee_name or issue.assignee_id)],
    "reporter": lambda issue: [(issue.reporter_id, issue.reporter_name or issue.reporter_id)],
    "labels": lambda issue: [(None, label) for label in issue.labels],
    "components": lambda issue: [(None, name) for name in issue.components],
    "fixVersions": lambda issue: [(None, name) for name in issue.fix_versions],
    "sprint": lambda issue: [(str(sprint.id), sprint.name) for sprint in issue.sprints],
}


def field_values(issue: Issue, field_id: str) -> list[FieldValue]:
    """Every value `field_id` holds on `issue` now, with its Jira id where the issue data
    keeps one (options, sprints, users), so a renamed value stays one value."""
    promoted = _PROMOTED_VALUES.get(field_id)
    if promoted is not None:
        pairs = promoted(issue)
    elif field_id in PROMOTED:
        pairs = [(None, PROMOTED[field_id](issue))]
    else:
        raw = issue.fields.get(field_id)
        pairs = [_json_value(item) for item in (raw if isinstance(raw, list) else [raw])]
    return [(ident or None, name) for ident, name in pairs if name]


def _json_value(value: Any) -> tuple[str | None, str | None]:
    """A raw Jira value as (id, name): objects by their id and name, scalars by their text."""
    name = render_json_value(value)
    if isinstance(value, dict) and value.get("id") is not None:
        return str(value["id"]), name
    return None, name


def display_value(issue: Issue, field_id: str) -> str | None:
    """The value of `field_id` on `issue` as report text, or None when empty."""
    promoted = PROMOTED.get(field_id)
    if promoted is not None:
        return promoted(issue)
    return render_json_value(issue.fields.get(field_id))
