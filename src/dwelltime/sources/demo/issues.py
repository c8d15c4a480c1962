"""One demo issue's life: a walk through its project's workflow in its people's working
hours, with the assignee, resolution and sprint changes around it (`field_changes` adds
the priority, label, component and Risk changes).

Every change is first an event (instant, author, items); the events of an issue are
sorted by instant and numbered from one counter shared by all issues, so history ids are
unique and increase within every issue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dwelltime.domain.issues import History, Issue, SprintRef, User
from dwelltime.sources.demo.catalog import AUTOMATION, HISTORY_SPAN_MS, DemoProject, Person
from dwelltime.sources.demo.clock import HOUR_MS, MINUTE_MS, WorkingClock
from dwelltime.sources.demo.field_changes import Event, FieldChanges
from dwelltime.sources.demo.fields import (
    BUG_RESOLUTIONS,
    ISSUE_TYPE_WEIGHTS,
    ISSUE_TYPES,
    LABELS,
    PRIORITIES,
    PRIORITY_WEIGHTS,
    RISK_FIELD_ID,
    RISK_OPTIONS,
    SPRINT_FIELD_ID,
    STORY_POINTS,
    WORK_RESOLUTIONS,
    assignee_item,
    component_id,
    cumulative,
    fix_version,
    pick,
    resolution_item,
    risk_json,
    some_of,
    sprint_json,
    status_item,
    summary,
)
from dwelltime.sources.demo.sprints import plan_sprints
from dwelltime.sources.demo.workflows import (
    CATEGORIES,
    DONE,
    IN_PROGRESS,
    INDETERMINATE,
    MAX_DWELL_HOURS,
    RENAMES,
    RETIRED,
    WONT_DO,
    catalog_name,
)

#: Share of transitions made outside working hours (on-call, late fixes, scripts).
OFF_HOURS_SHARE = 0.04
#: Share of issues that wait in the backlog for weeks to a year before anyone looks.
BACKLOG_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class IssueHeader:
    """What is drawn for every issue up front, so keys can follow creation order."""

    created_ms: int
    project: int
    reporter: Person
    issue_type: str
    priority: int


class IssueFactory:
    """Draws issues for a fixed set of projects and `now`; owns the history id counter."""

    def __init__(self, projects: tuple[DemoProject, ...], now_ms: int, rng: random.Random) -> None:
        self._projects = projects
        self.now_ms = now_ms
        self.rng = rng
        self._first_ms = now_ms - HISTORY_SPAN_MS
        self._clocks: dict[tuple[str, int], WorkingClock] = {}
        self._next_history_id = 10_000
        self._project_weights = cumulative([1.0 / (1 + 0.25 * i) for i in range(len(projects))])
        self.transitions = {
            project.workflow.name: {
                status: (tuple(t for t, _ in targets), cumulative([w for _, w in targets]))
                for status, targets in project.workflow.transitions.items()
            }
            for project in projects
        }

    def headers(self, count: int) -> list[IssueHeader]:
        """`count` issue headers ordered by creation (ties keep drawing order)."""
        rng = self.rng
        drawn = []
        for _ in range(count):
            project = pick(rng, self._project_weights)
            reporter = rng.choice(self._projects[project].team)
            created = self.clock(reporter).random_point(self._first_ms, self.now_ms, rng.random())
            drawn.append(
                IssueHeader(
                    created_ms=min(created, self.now_ms - MINUTE_MS),
                    project=project,
                    reporter=reporter,
                    issue_type=ISSUE_TYPES[pick(rng, ISSUE_TYPE_WEIGHTS)][0],
                    priority=pick(rng, PRIORITY_WEIGHTS),
                )
            )
        drawn.sort(key=lambda header: header.created_ms)
        return drawn

    def issue(self, issue_id: int, key: str, header: IssueHeader) -> Issue:
        """The complete issue for `header`, its histories included."""
        return _IssueDraw(self, self._projects[header.project], header).issue(issue_id, key)

    def clock(self, person: Person) -> WorkingClock:
        """The working-hours clock of `person`, shared by everyone with the same hours."""
        key = (person.zone, person.start_hour)
        clock = self._clocks.get(key)
        if clock is None:
            clock = WorkingClock(person.zone, person.start_hour, 8, self._first_ms, self.now_ms)
            self._clocks[key] = clock
        return clock

    def history_ids(self, count: int) -> range:
        """The next `count` history ids (one counter for all issues: ids never repeat)."""
        first = self._next_history_id
        self._next_history_id += count
        return range(first, first + count)


class _IssueDraw:
    """The state of one issue while its life is drawn."""

    def __init__(self, factory: IssueFactory, project: DemoProject, header: IssueHeader) -> None:
        self._factory = factory
        self._rng = factory.rng
        self._now = factory.now_ms
        self._project = project
        self._header = header
        self._events: list[Event] = []
        team = project.team
        self._assignee: Person | None = (
            self._rng.choice(team) if self._rng.random() < 0.55 else None
        )
        self._resolution: str | None = None
        self._resolved_ms: int | None = None
        self._work_started_ms: int | None = None
        self._done_ms: int | None = None

    def issue(self, issue_id: int, key: str) -> Issue:
        """Draw the issue's life, then its fields; its events become numbered histories."""
        rng, header = self._rng, self._header
        status = self._walk()
        labels = some_of(rng, LABELS, rng.choice((0, 0, 0, 1, 2)))
        priority = header.priority
        end_ms = self._resolved_ms if self._resolved_ms is not None else self._now
        reporter_clock = self._factory.clock(header.reporter)
        changes = FieldChanges(
            rng, reporter_clock, header.created_ms, header.reporter.user, self._events
        )
        if rng.random() < 0.12:
            priority = changes.priority(priority, end_ms)
        if rng.random() < 0.15:
            labels = changes.label(labels, end_ms)
        project = self._project
        components = tuple(
            project.components.index(name)
            for name in some_of(rng, project.components, rng.choice((0, 1, 1, 2)))
        )
        if rng.random() < 0.1:
            ids = tuple(component_id(project.project.id, i) for i in range(len(project.components)))
            components = changes.component(components, project.components, ids, end_ms)
        risk = rng.randrange(len(RISK_OPTIONS)) if rng.random() < 0.5 else None
        if rng.random() < 0.1:
            risk = changes.risk(risk, end_ms, RENAMES[IN_PROGRESS].renamed_ms)
        sprints = self._sprints()
        self._events.sort(key=lambda event: event.at_ms)
        histories = tuple(
            History(
                history_id, event.at_ms, event.author.id, event.author.display_name, event.items
            )
            for history_id, event in zip(
                self._factory.history_ids(len(self._events)), self._events, strict=True
            )
        )
        assignee = self._assignee.user if self._assignee is not None else None
        fields: dict[str, object] = {}
        if header.issue_type == "Story":
            fields["customfield_10016"] = rng.choice(STORY_POINTS)
        if sprints:
            fields[SPRINT_FIELD_ID] = [sprint_json(sprint) for sprint in sprints]
        if risk is not None:
            fields[RISK_FIELD_ID] = risk_json(risk)
        return Issue(
            id=issue_id,
            key=key,
            project_key=self._project.project.key,
            project_name=self._project.project.name,
            summary=summary(rng),
            created_ms=header.created_ms,
            status_id=status,
            status_name=catalog_name(status),
            issue_type=header.issue_type,
            priority=PRIORITIES[priority][0],
            assignee_id=assignee.id if assignee else None,
            assignee_name=assignee.display_name if assignee else None,
            reporter_id=header.reporter.user.id,
            reporter_name=header.reporter.user.display_name,
            updated_ms=histories[-1].created_ms if histories else header.created_ms,
            resolution_date_ms=self._resolved_ms,
            resolution=self._resolution,
            labels=labels,
            components=tuple(project.components[i] for i in components),
            fix_versions=fix_version(self._resolved_ms) if self._project.sprints else (),
            sprints=sprints,
            fields=fields,
            histories=histories,
        )

    def _walk(self) -> str:
        """Move through the workflow until the issue rests or `now` comes; the final status."""
        # Locals rather than attribute look-ups: this loop runs for every transition.
        rng, workflow, team = self._rng, self._project.workflow, self._project.team
        draw, clock = rng.random, self._factory.clock
        factor = PRIORITIES[self._header.priority][3]
        transitions = self._factory.transitions[workflow.name]
        status, at = workflow.initial, self._header.created_ms
        while not (status in workflow.terminal and draw() >= workflow.reopen_probability):
            actor = self._assignee or rng.choice(team)
            dwell = workflow.dwell[status].draw_ms(rng, factor)
            if at == self._header.created_ms and draw() < BACKLOG_SHARE:
                dwell = int(min(dwell * 40 * rng.paretovariate(0.8), MAX_DWELL_HOURS * HOUR_MS))
            next_at = at + dwell if draw() < OFF_HOURS_SHARE else clock(actor).after(at, dwell)
            author = actor.user
            retired = RETIRED.get(status)
            if retired is not None and next_at >= retired.deleted_ms:
                # The status was deleted while the issue sat in it: an admin moved it on.
                next_at, target, author = retired.deleted_ms, retired.replacement, AUTOMATION
            else:
                targets, weights = transitions[status]
                target = targets[pick(rng, weights)]
                gone = RETIRED.get(target)
                if gone is not None and next_at >= gone.deleted_ms:
                    target = gone.replacement
            if next_at >= self._now:
                break
            if draw() < 0.08 and next_at - at > 2:
                self._reassign(at + 1 + int((next_at - at - 2) * draw()), actor.user)
            self._transition(status, target, next_at, author, actor)
            status, at = target, next_at
        return status

    def _transition(self, source: str, target: str, at: int, author: User, actor: Person) -> None:
        items = [status_item(source, target, at)]
        target_category = CATEGORIES[target]
        was_done, is_done = CATEGORIES[source] == DONE, target_category == DONE
        if is_done and not was_done:
            resolution = self._pick_resolution(target)
            items.append(resolution_item(None, resolution))
            self._resolution, self._resolved_ms = resolution, at
            self._done_ms = self._done_ms or (at if self._work_started_ms else None)
        elif was_done and not is_done:
            # Reopening clears the resolution (and with it the resolution date).
            items.append(resolution_item(self._resolution, None))
            self._resolution = self._resolved_ms = None
        if target_category == INDETERMINATE:
            self._work_started_ms = self._work_started_ms or at
            if self._assignee is None and author is actor.user:
                # "Start progress" assigns the issue to whoever starts it.
                items.append(assignee_item(None, actor))
                self._assignee = actor
        self._events.append(Event(at, author, tuple(items)))

    def _reassign(self, at: int, author: User) -> None:
        team = [person for person in self._project.team if person is not self._assignee]
        new = self._rng.choice(team)
        self._events.append(Event(at, author, (assignee_item(self._assignee, new),)))
        self._assignee = new

    def _pick_resolution(self, target: str) -> str:
        if target == WONT_DO:
            return "Won't Do"
        names, sums = BUG_RESOLUTIONS if self._header.issue_type == "Bug" else WORK_RESOLUTIONS
        return names[pick(self._rng, sums)]

    def _sprints(self) -> tuple[SprintRef, ...]:
        """The issue's sprints; each change of its Sprint field is made by the team lead."""
        if self._work_started_ms is None:
            return ()
        finished = self._done_ms if self._done_ms is not None else self._now
        sprints, changes = plan_sprints(
            self._project, self._header.created_ms, self._work_started_ms, finished
        )
        lead = self._project.team[0].user
        self._events.extend(Event(at, lead, (item,)) for at, item in changes)
        return sprints
