"""Display values one issue at a time, the model of `sources.fields.display_columns`."""

from __future__ import annotations

from datetime import UTC, datetime

from dwelltime.domain.issues import Issue
from dwelltime.sources.fields import render_json_value


def _instant(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _joined(values: tuple[str, ...]) -> str | None:
    return ", ".join(values) if values else None


def display_value(issue: Issue, field_id: str) -> str | None:
    """The value of `field_id` on `issue` as report text, or None when empty."""
    promoted = {
        "key": issue.key,
        "summary": issue.summary,
        "issuetype": issue.issue_type,
        "status": issue.status_name,
        "priority": issue.priority,
        "assignee": issue.assignee_name,
        "reporter": issue.reporter_name,
        "project": issue.project_key,
        "created": _instant(issue.created_ms),
        "updated": _instant(issue.updated_ms),
        "resolutiondate": _instant(issue.resolution_date_ms),
        "resolution": issue.resolution,
        "labels": _joined(issue.labels),
        "components": _joined(issue.components),
        "fixVersions": _joined(issue.fix_versions),
        "sprint": _joined(tuple(sprint.name for sprint in issue.sprints)),
    }
    if field_id in promoted:
        return promoted[field_id]
    return render_json_value(issue.fields.get(field_id))
