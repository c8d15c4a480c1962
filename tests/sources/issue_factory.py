"""Small domain objects and Jira JSON documents for the store and import tests."""

from __future__ import annotations

from typing import Any

from dwelltime.domain.issues import ChangeItem, History, Issue, SprintRef

DAY_MS = 86_400_000
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def status_item(from_id: str, to_id: str) -> ChangeItem:
    return ChangeItem("status", "status", "jira", from_id, f"S{from_id}", to_id, f"S{to_id}")


def assignee_item(from_id: str | None, to_id: str | None) -> ChangeItem:
    def name(person: str | None) -> str | None:
        return None if person is None else f"Name {person}"

    return ChangeItem("assignee", "assignee", "jira", from_id, name(from_id), to_id, name(to_id))


def make_issue(
    issue_id: int,
    project: str = "AB",
    *,
    created_ms: int = T0,
    updated_ms: int | None = None,
    histories: tuple[History, ...] | None = None,
    assignee: str | None = "u1",
    sprints: tuple[SprintRef, ...] = (),
    fields: dict[str, Any] | None = None,
    resolution_date_ms: int | None = None,
) -> Issue:
    """An issue with two status changes and an assignee change unless told otherwise."""
    if histories is None:
        histories = (
            History(issue_id * 10, created_ms + DAY_MS, "u1", "Name u1", (status_item("1", "3"),)),
            History(
                issue_id * 10 + 1,
                created_ms + 2 * DAY_MS,
                "u2",
                "Name u2",
                (
                    status_item("3", "5"),
                    assignee_item("u1", assignee),
                    ChangeItem("labels", None, None, None, "", None, "x"),
                ),
            ),
        )
    return Issue(
        id=issue_id,
        key=f"{project}-{issue_id}",
        project_key=project,
        summary=f"Issue {issue_id}",
        created_ms=created_ms,
        updated_ms=updated_ms if updated_ms is not None else created_ms + 3 * DAY_MS,
        resolution_date_ms=resolution_date_ms,
        status_id="5",
        status_name="S5",
        issue_type="Bug",
        priority="High",
        assignee_id=assignee,
        assignee_name=None if assignee is None else f"Name {assignee}",
        reporter_id="u9",
        reporter_name="Name u9",
        labels=("a", "b"),
        components=("core",),
        sprints=sprints,
        fields=fields or {"customfield_10001": {"value": "Team A"}, "customfield_10002": 5},
        histories=histories,
    )


#: The site the factories' issues come from; `jira_issue` links to it as Jira does.
TEST_SITE = "https://test.atlassian.net"


def jira_issue(
    issue_id: int,
    key: str,
    *,
    created: Any = "2024-01-02T10:00:00.000+0800",
    updated: Any = "2024-01-05T10:00:00.000+0800",
    histories: list[dict[str, Any]] | None = None,
    total: int | None = None,
    extra_fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An issue as Jira REST returns it with expand=changelog."""
    entries = histories if histories is not None else [jira_history(issue_id * 10, "1", "3")]
    fields: dict[str, Any] = {
        "summary": f"Summary {key}",
        "status": {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "issuetype": {"name": "Story"},
        "project": {"id": "100", "key": key.split("-")[0], "name": "Project"},
        "created": created,
        "updated": updated,
        "assignee": {"accountId": "acc-1", "displayName": "Ann"},
        "reporter": {"accountId": "acc-2", "displayName": "Bob"},
        "labels": ["x"],
        **(extra_fields or {}),
    }
    return {
        "id": str(issue_id),
        "self": f"{TEST_SITE}/rest/api/2/issue/{issue_id}",
        "key": key,
        "fields": fields,
        "changelog": {
            "startAt": 0,
            "maxResults": 100,
            "total": len(entries) if total is None else total,
            "histories": entries,
        },
    }


def jira_history(
    history_id: int, from_id: str, to_id: str, created: Any = "2024-01-03T10:00:00.000+0800"
) -> dict[str, Any]:
    return {
        "id": str(history_id),
        "author": {"accountId": "acc-1", "displayName": "Ann"},
        "created": created,
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": from_id,
                "fromString": f"S{from_id}",
                "to": to_id,
                "toString": f"S{to_id}",
            }
        ],
    }
