"""The demo's field vocabulary (issue types, priorities, labels, resolutions, summaries),
weighted draws, and change items in the shape Jira's changelog gives them.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import UTC, datetime
from functools import cache
from itertools import accumulate

from dwelltime.domain.issues import ChangeItem, SprintRef
from dwelltime.sources.demo.catalog import Person
from dwelltime.sources.demo.workflows import status_name

ISSUE_TYPES = (("Story", 45), ("Bug", 30), ("Task", 20), ("Epic", 5))
#: (name, Jira id, weight, dwell factor): urgent work moves faster.
PRIORITIES = (
    ("Highest", "1", 5, 0.4),
    ("High", "2", 20, 0.7),
    ("Medium", "3", 55, 1.0),
    ("Low", "4", 15, 1.4),
    ("Lowest", "5", 5, 2.0),
)
LABELS = ("customer", "tech-debt", "security", "performance", "ux", "regression", "i18n")
STORY_POINTS = (1, 2, 3, 5, 8, 13)
VERBS = ("Fix", "Add", "Refactor", "Investigate", "Document", "Speed up", "Remove", "Migrate")
OBJECTS = ("login", "checkout", "invoice export", "search index", "user settings",
           "notification emails", "audit log", "Übersetzungen", "rate limiter",
           "reports")  # fmt: skip
CONTEXTS = ("on mobile", "for EU customers", "after the upgrade", "in the admin UI",
            "under load", "for new accounts", "in the nightly job", "")  # fmt: skip

#: The Sprint field's id, as on most Jira Cloud sites.
SPRINT_FIELD_ID = "customfield_10020"
#: A single-select custom field: (option id, name); option 10202 was "Severe" until
#: the day status 3 was renamed too (a renamed option keeps its id).
RISK_FIELD_ID = "customfield_10050"
RISK_OPTIONS = (("10200", "Low"), ("10201", "Medium"), ("10202", "High"))
RISK_RENAMES = {"10202": "Severe"}

RESOLUTIONS = {
    "Done": "10000",
    "Won't Do": "10001",
    "Duplicate": "10002",
    "Cannot Reproduce": "10003",
}


def cumulative(weights: list[float]) -> tuple[float, ...]:
    """Running sums of `weights`, the form `pick` draws from."""
    return tuple(accumulate(weights))


def pick(rng: random.Random, sums: tuple[float, ...]) -> int:
    """An index drawn by weight, from cumulative weights (what `rng.choices` does,
    without rebuilding the sums on every draw)."""
    return bisect_right(sums, rng.random() * sums[-1])


def some_of(rng: random.Random, values: tuple[str, ...], count: int) -> tuple[str, ...]:
    """`count` distinct values in sorted order (most issues have none: no draw then;
    `rng.sample` costs more than the rest of this, so one value is a plain choice)."""
    if count == 0:
        return ()
    if count == 1:
        return (rng.choice(values),)
    return tuple(sorted(rng.sample(values, count)))


ISSUE_TYPE_WEIGHTS = cumulative([weight for _, weight in ISSUE_TYPES])
PRIORITY_WEIGHTS = cumulative([priority[2] for priority in PRIORITIES])
#: How finished work is resolved (names, cumulative weights); "Won't Do" has its status.
BUG_RESOLUTIONS = (("Done", "Cannot Reproduce", "Duplicate"), cumulative([85, 10, 5]))
WORK_RESOLUTIONS = (("Done", "Duplicate"), cumulative([93, 7]))


def status_item(source: str, target: str, at_ms: int) -> ChangeItem:
    """A status change with the names the two statuses had at `at_ms`."""
    return ChangeItem(
        "status",
        "status",
        "jira",
        source,
        status_name(source, at_ms),
        target,
        status_name(target, at_ms),
    )


def summary(rng: random.Random) -> str:
    """An issue summary such as "Fix checkout on mobile"."""
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}".strip()


def field_item(
    name: str,
    from_value: str | None,
    from_string: str | None,
    to_value: str | None,
    to_string: str | None,
) -> ChangeItem:
    return ChangeItem(name, name, "jira", from_value, from_string, to_value, to_string)


def component_id(project_id: str, index: int) -> str:
    """Jira ids of a project's components: one block of ten per project."""
    return str(int(project_id) * 10 + index)


def risk_name(option: int, at_ms: int, renamed_ms: int) -> str:
    """The name a Risk option had at `at_ms`."""
    ident, name = RISK_OPTIONS[option]
    return RISK_RENAMES.get(ident, name) if at_ms < renamed_ms else name


def risk_json(option: int) -> dict[str, str]:
    """A select option as the issue's fields JSON holds it (its current name)."""
    ident, name = RISK_OPTIONS[option]
    return {"id": ident, "value": name}


def resolution_item(old: str | None, new: str | None) -> ChangeItem:
    """The resolution set (old None) or cleared (new None), by name and Jira id."""
    return field_item(
        "resolution",
        RESOLUTIONS[old] if old else None,
        old,
        RESOLUTIONS[new] if new else None,
        new,
    )


def assignee_item(old: Person | None, new: Person) -> ChangeItem:
    return field_item(
        "assignee",
        old.user.id if old else None,
        old.user.display_name if old else None,
        new.user.id,
        new.user.display_name,
    )


def sprint_json(sprint: SprintRef) -> dict[str, object]:
    """A sprint as the Sprint field of a Cloud issue holds it (what the importer reads)."""
    return {
        "id": sprint.id,
        "name": sprint.name,
        "state": sprint.state,
        "boardId": sprint.board_id,
        "goal": "",
        **_sprint_dates(sprint),
    }


@cache
def _sprint_dates(sprint: SprintRef) -> dict[str, str]:
    # Cached: thousands of issues name the same few sprints.
    dates = {}
    for name, instant in (
        ("startDate", sprint.start_ms),
        ("endDate", sprint.end_ms),
        ("completeDate", sprint.complete_ms),
    ):
        if instant is not None:
            moment = datetime.fromtimestamp(instant / 1000, UTC)
            dates[name] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return dates


def sprint_item(before: tuple[SprintRef, ...], after: list[SprintRef]) -> ChangeItem:
    # The Sprint field keeps every sprint an issue was in; Jira lists ids and names.
    return ChangeItem(
        "Sprint",
        SPRINT_FIELD_ID,
        "custom",
        ", ".join(str(s.id) for s in before),
        ", ".join(s.name for s in before),
        ", ".join(str(s.id) for s in after),
        ", ".join(s.name for s in after),
    )


def fix_version(resolved_ms: int | None) -> tuple[str, ...]:
    """Scrum teams release quarterly; a resolved issue ships in its quarter's version."""
    if resolved_ms is None:
        return ()
    day = datetime.fromtimestamp(resolved_ms / 1000, UTC)
    return (f"{day.year}.Q{(day.month - 1) // 3 + 1}",)
