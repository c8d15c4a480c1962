"""The demo's people, projects, sprints, saved filters and business calendars.

Everything here is a pure function of (projects, seed, now): the catalogs go into the
first chunk the generator yields, before any issue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.domain.issues import Project, SavedFilter, SprintRef, User
from dwelltime.sources.demo.clock import DAY_MS, HOUR_MS
from dwelltime.sources.demo.workflows import SCRUM_WORKFLOWS, WORKFLOWS, Workflow

#: Issues are created during the two years before `now`.
HISTORY_SPAN_MS = 730 * DAY_MS
SPRINT_MS = 14 * DAY_MS
TEAM_SIZE = 5
AUTOMATION = User("acc-0", "Automation for Jira")

_PROJECT_NAMES = (
    ("PAY", "Payments"),
    ("WEB", "Web Shop"),
    ("OPS", "Operations Desk"),
    ("MOB", "Mobile App"),
    ("DATA", "Data Platform"),
    ("SEC", "Security"),
    ("INF", "Infrastructure"),
    ("CRM", "Customer Relations"),
    ("HR", "People Team"),
)
#: A team's home zone; one member of each team works from the next zone in the list,
#: so every project sees several zones with DST changes on different dates (or none).
_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
)
_FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hiroshi", "Ines", "Jonas",
    "Kavya", "Liam", "Mia", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Søren", "Tomás",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë",
)  # fmt: skip
_LAST_NAMES = (
    "Müller", "Smith", "García", "Kowalski", "Nakamura", "Okafor", "Rossi", "Schneider",
    "Patel", "Johansson", "Dubois", "Chen", "O'Brien", "Novák", "Silva", "Yılmaz",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    """A demo user with where and when they work (which decides their timestamps)."""

    user: User
    zone: str
    start_hour: int


@dataclass(frozen=True, slots=True)
class DemoProject:
    """A project with its workflow, team (the lead first) and sprints (oldest first)."""

    project: Project
    workflow: Workflow
    team: tuple[Person, ...]
    sprints: tuple[SprintRef, ...]
    components: tuple[str, ...]
    #: Start instants of the started sprints, to find the sprint of an instant.
    sprint_starts: tuple[int, ...]


def build_projects(count: int, seed: int, now_ms: int) -> tuple[DemoProject, ...]:
    """`count` projects, each with its own team, workflow and (for scrum teams) sprints."""
    rng = random.Random(f"demo-catalog:{seed}")
    projects: list[DemoProject] = []
    next_sprint_id = 1
    for index in range(count):
        key, name = (
            _PROJECT_NAMES[index]
            if index < len(_PROJECT_NAMES)
            else (f"P{index + 1}", f"Project {index + 1}")
        )
        workflow = WORKFLOWS[index % len(WORKFLOWS)]
        team = tuple(
            _person(rng, index * TEAM_SIZE + member + 1, index, member)
            for member in range(TEAM_SIZE)
        )
        sprints: tuple[SprintRef, ...] = ()
        if workflow.name in SCRUM_WORKFLOWS:
            sprints = _sprints(key, next_sprint_id, index + 1, now_ms, offset_weeks=index % 2)
            next_sprint_id += len(sprints)
        projects.append(
            DemoProject(
                project=Project(str(10000 + index), key, name),
                workflow=workflow,
                team=team,
                sprints=sprints,
                components=(f"{key} Backend", f"{key} Frontend", f"{key} API"),
                sprint_starts=tuple(s.start_ms for s in sprints if s.start_ms is not None),
            )
        )
    return tuple(projects)


def _person(rng: random.Random, number: int, project_index: int, member: int) -> Person:
    name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    zone_index = project_index + (1 if member == TEAM_SIZE - 1 else 0)
    email = f"user{number}@example.invalid"
    return Person(
        user=User(f"acc-{number}", name, email),
        zone=_ZONES[zone_index % len(_ZONES)],
        start_hour=rng.choice((8, 9, 9, 10)),
    )


def _sprints(
    key: str, first_id: int, board_id: int, now_ms: int, offset_weeks: int
) -> tuple[SprintRef, ...]:
    """Two-week sprints covering the whole history, the current one active, one future."""
    origin = _monday_before(now_ms - HISTORY_SPAN_MS - SPRINT_MS) + offset_weeks * 7 * DAY_MS
    sprints: list[SprintRef] = []
    number = 0
    while True:
        start = origin + number * SPRINT_MS + 9 * HOUR_MS
        end = start + 11 * DAY_MS + 8 * HOUR_MS  # Monday 09:00 to the second Friday 17:00
        state = "closed" if end <= now_ms else "active" if start <= now_ms else "future"
        sprints.append(
            SprintRef(
                id=first_id + number,
                name=f"{key} Sprint {number + 1}",
                state=state,
                board_id=board_id,
                start_ms=start if state != "future" else None,
                end_ms=end if state != "future" else None,
                complete_ms=end if state == "closed" else None,
            )
        )
        if state == "future":
            return tuple(sprints)
        number += 1


def _monday_before(instant_ms: int) -> int:
    day = datetime.fromtimestamp(instant_ms / 1000, UTC).date()
    monday = day - timedelta(days=day.weekday())
    return int(datetime(monday.year, monday.month, monday.day, tzinfo=UTC).timestamp() * 1000)


def users(projects: tuple[DemoProject, ...]) -> tuple[User, ...]:
    """Every user the demo names: the automation account and each team member."""
    return (AUTOMATION, *(person.user for project in projects for person in project.team))


def saved_filters(projects: tuple[DemoProject, ...]) -> tuple[SavedFilter, ...]:
    """A few filters per project and some across projects, in the JQL subset dwelltime runs."""
    filters: list[SavedFilter] = []
    for project in projects:
        key, lead = project.project.key, project.team[0].user.id
        filters.append(
            SavedFilter(
                f"{key}-wip",
                f"{key}: in progress",
                f'project = {key} AND status = "In Progress"',
                lead,
            )
        )
        filters.append(
            SavedFilter(
                f"{key}-bugs",
                f"{key}: open bugs",
                f"project = {key} AND issuetype = Bug AND resolution is EMPTY"
                " ORDER BY created DESC",
                lead,
            )
        )
    first, second = projects[0], projects[min(1, len(projects) - 1)]
    member = first.team[2].user.id
    keys = ", ".join(dict.fromkeys((first.project.key, second.project.key)))
    filters += [
        SavedFilter(
            "mine", f"Assigned to {member}", f"assignee = {member} ORDER BY created DESC", member
        ),
        SavedFilter(
            "urgent", "Urgent work", f"project in ({keys}) AND priority in (Highest, High)", member
        ),
        SavedFilter(
            "customer", "Customer-reported", "labels = customer AND resolution is EMPTY", member
        ),
    ]
    return tuple(filters)


def calendars() -> tuple[CalendarSpec, ...]:
    """Two business calendars: an office day with holidays, and two daily shifts."""
    office_days = tuple(WorkingTime(day, 9 * HOUR_MS, 17 * HOUR_MS) for day in range(5))
    shifts = tuple(
        WorkingTime(day, start * HOUR_MS, (start + 8) * HOUR_MS)
        for day in range(5)
        for start in (6, 14)
    )
    return (
        CalendarSpec(
            id="1",
            name="Berlin office",
            time_zone="Europe/Berlin",
            working_times=office_days,
            holidays=(
                Holiday("Christmas Day", date(2024, 12, 25), recurring=True),
                Holiday("Boxing Day", date(2024, 12, 26), recurring=True),
                Holiday("New Year's Day", date(2025, 1, 1), recurring=True),
                Holiday("Office move", date(2026, 3, 13)),
            ),
        ),
        CalendarSpec(
            id="2",
            name="Two shifts",
            time_zone="America/New_York",
            working_times=shifts,
            holidays=(
                Holiday("Independence Day", date(2025, 7, 4), recurring=True),
                Holiday("Thanksgiving", date(2025, 11, 27)),
            ),
        ),
    )
