"""Raw Jira issues (REST JSON, full changelogs oldest-first) for the fake Jira and imports.

Deterministic from a seed; some issues get more than 100 histories so that every
truncation and paging path is exercised.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

STATUSES: list[dict[str, Any]] = [
    {"id": "1", "name": "Open", "statusCategory": {"key": "new"}},
    {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
    {"id": "10001", "name": "Review", "statusCategory": {"key": "indeterminate"}},
    {"id": "6", "name": "Closed", "statusCategory": {"key": "done"}},
]
PEOPLE = [("acc-ada", "Ada"), ("acc-bob", "Bob"), ("acc-cyd", "Cyd")]
BASE_MS = 1_735_689_600_000  # 2025-01-01 UTC


def jira_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _person(index: int) -> dict[str, Any]:
    account, name = PEOPLE[index]
    return {"accountId": account, "displayName": name}


def make_issues(
    count: int, projects: tuple[str, ...] = ("ALPHA", "BETA"), seed: int = 7, long_every: int = 9
) -> list[dict[str, Any]]:
    """`count` issues across `projects`; every `long_every`-th has 100+ histories."""
    rng = random.Random(seed)
    issues = []
    history_id = 50_000
    for n in range(count):
        project = projects[n % len(projects)]
        created = BASE_MS + n * 3_600_000
        at = created
        status = 0
        assignee: int | None = None
        histories = []
        changes = 105 + rng.randrange(30) if n % long_every == 0 else rng.randrange(1, 12)
        item: dict[str, Any]
        for _ in range(changes):
            at += rng.randrange(60_000, 40 * 3_600_000)
            history_id += 1
            if rng.random() < 0.75:
                new = rng.choice([s for s in range(len(STATUSES)) if s != status])
                item = {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": STATUSES[status]["id"],
                    "fromString": STATUSES[status]["name"],
                    "to": STATUSES[new]["id"],
                    "toString": STATUSES[new]["name"],
                }
                status = new
            else:
                new_person = rng.randrange(len(PEOPLE))
                item = {
                    "field": "assignee",
                    "fieldtype": "jira",
                    "fieldId": "assignee",
                    "from": PEOPLE[assignee][0] if assignee is not None else None,
                    "fromString": PEOPLE[assignee][1] if assignee is not None else None,
                    "to": PEOPLE[new_person][0],
                    "toString": PEOPLE[new_person][1],
                }
                assignee = new_person
            histories.append(
                {
                    "id": str(history_id),
                    "author": _person(rng.randrange(len(PEOPLE))),
                    "created": jira_time(at),
                    "items": [item],
                }
            )
        issues.append(
            {
                "id": str(10_000 + n),
                "key": f"{project}-{n + 1}",
                "fields": {
                    "summary": f"Issue {n + 1} of {project}",
                    "project": {
                        "id": str(100 + projects.index(project)),
                        "key": project,
                        "name": project.title(),
                    },
                    "issuetype": {"name": "Story"},
                    "priority": {"name": rng.choice(["High", "Low"])},
                    "status": STATUSES[status],
                    "assignee": _person(assignee) if assignee is not None else None,
                    "created": jira_time(created),
                    "updated": jira_time(at),
                    "labels": [f"l{n % 3}"],
                },
                "histories": histories,
            }
        )
    return issues


def as_search_response(issues: list[dict[str, Any]]) -> dict[str, Any]:
    """The same issues as one complete search response (what `dwelltime import` reads)."""
    return {
        "startAt": 0,
        "maxResults": len(issues),
        "total": len(issues),
        "issues": [
            {
                "id": issue["id"],
                "key": issue["key"],
                "fields": issue["fields"],
                "changelog": {
                    "startAt": 0,
                    "maxResults": len(issue["histories"]),
                    "total": len(issue["histories"]),
                    "histories": issue["histories"],
                },
            }
            for issue in issues
        ],
    }
