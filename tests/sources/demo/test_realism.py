"""The demo looks like a real Jira: the quirks are present, dwell times are skewed,
people work in their own hours, issues loop back and some are still open at `now`."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from statistics import mean, median
from zoneinfo import ZoneInfo

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue
from dwelltime.sources.demo.catalog import Person, build_projects
from dwelltime.sources.demo.fields import RISK_FIELD_ID, SPRINT_FIELD_ID
from dwelltime.sources.demo.generator import DEFAULT_NOW_MS, generate_demo
from dwelltime.sources.demo.workflows import (
    CATEGORIES,
    DESK_TO_DO,
    DONE,
    IN_PROGRESS,
    NEW,
    RENAMES,
    RESOLVED,
    RETIRED,
    TO_DO,
)

ISSUES, PROJECTS, SEED = 1_500, 3, 2


@cache
def sample() -> tuple[Issue, ...]:
    return tuple(issue for chunk in generate_demo(ISSUES, PROJECTS, SEED) for issue in chunk.issues)


def status_changes(issue: Issue) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """(instant, author id, from id, to id, to name) of the issue's status changes."""
    return [
        (h.created_ms, h.author_id or "", item.from_value, item.to_value, item.to_string)
        for h in issue.histories
        for item in h.items
        if item.field_id == STATUS_FIELD
    ]


def test_renamed_status_carries_its_old_name_in_old_histories() -> None:
    rename = RENAMES[IN_PROGRESS]
    names_before: set[str | None] = set()
    names_after: set[str | None] = set()
    for issue in sample():
        for at, _, _, target, name in status_changes(issue):
            if target == IN_PROGRESS:
                (names_before if at < rename.renamed_ms else names_after).add(name)
    assert names_before == {rename.old_name}
    assert names_after == {"In Progress"}


def test_deleted_status_appears_only_before_its_deletion() -> None:
    deleted_ms = RETIRED[RESOLVED].deleted_ms
    entries = [
        at
        for issue in sample()
        for at, _, _, target, _ in status_changes(issue)
        if target == RESOLVED
    ]
    assert entries, "the deleted status is in some histories"
    assert max(entries) < deleted_ms
    moved = [
        author
        for issue in sample()
        for at, author, source, _, _ in status_changes(issue)
        if source == RESOLVED and at == deleted_ms
    ]
    assert moved and set(moved) == {"acc-0"}, "the issues left in it were moved by automation"


def test_both_statuses_named_to_do_are_used() -> None:
    initial = {source for issue in sample() for _, _, source, _, _ in status_changes(issue)[:1]}
    assert {TO_DO, DESK_TO_DO} <= initial


def test_dwell_times_are_skewed_with_a_long_tail() -> None:
    dwells = []
    for issue in sample():
        entered = issue.created_ms
        for at, *_ in status_changes(issue):
            dwells.append(at - entered)
            entered = at
    dwells.sort()
    assert mean(dwells) > 3 * median(dwells)
    assert dwells[int(len(dwells) * 0.99)] > 30 * median(dwells)


def test_most_changes_happen_in_their_authors_working_hours_across_zones() -> None:
    people: dict[str, Person] = {
        person.user.id: person
        for project in build_projects(PROJECTS, SEED, DEFAULT_NOW_MS)
        for person in project.team
    }
    inside = outside = 0
    offsets: set[str] = set()
    for issue in sample():
        for history in issue.histories:
            person = people.get(history.author_id or "")
            if person is None:
                continue  # the automation account works around the clock
            local = datetime.fromtimestamp(history.created_ms / 1000, ZoneInfo(person.zone))
            offsets.add(str(local.utcoffset()))
            hour = local.hour + local.minute / 60
            working = local.weekday() < 5 and person.start_hour <= hour <= person.start_hour + 8
            inside += working
            outside += not working
    assert inside / (inside + outside) > 0.85
    assert outside > 0, "some work happens off-hours"
    assert len(offsets) >= 5, "several zones, with summer and winter offsets"


def test_loops_backward_moves_and_reassignments_occur() -> None:
    reopened = backward = reassigned = 0
    for issue in sample():
        for _, _, source, target, _ in status_changes(issue):
            source_category = CATEGORIES[source or ""]
            target_category = CATEGORIES[target or ""]
            reopened += source_category == DONE and target_category != DONE
            backward += source_category != NEW and target_category == NEW
        reassigned += any(
            item.field_id == ASSIGNEE_FIELD and item.from_value is not None
            for history in issue.histories
            for item in history.items
        )
    assert reopened > 10 and backward > 10 and reassigned > 50


def test_open_and_resolved_issues_and_sprints_all_occur() -> None:
    issues = sample()
    open_issues = [issue for issue in issues if CATEGORIES[issue.status_id or ""] != DONE]
    assert 0.03 * ISSUES < len(open_issues) < 0.5 * ISSUES
    assert any(CATEGORIES[issue.status_id or ""] not in {NEW, DONE} for issue in open_issues)
    assert sum(1 for issue in issues if len(issue.sprints) > 1) > 20, "carry-overs happen"
    assert {issue.priority for issue in issues} == {"Highest", "High", "Medium", "Low", "Lowest"}
    assert {issue.issue_type for issue in issues} == {"Story", "Bug", "Task", "Epic"}
    assert len({issue.assignee_id for issue in issues}) > 10


def test_any_field_reports_have_field_changes_to_show() -> None:
    changed: dict[str, int] = {}
    risk_names: set[tuple[str | None, str | None]] = set()
    for issue in sample():
        for history in issue.histories:
            for item in history.items:
                changed[item.effective_field_id] = changed.get(item.effective_field_id, 0) + 1
                if item.effective_field_id == RISK_FIELD_ID:
                    risk_names |= {
                        (item.from_value, item.from_string),
                        (item.to_value, item.to_string),
                    }
                if item.effective_field_id == "components":
                    # one component per item, added (to) or removed (from), with its id
                    assert (item.from_value is None) != (item.to_value is None)
    for field_id in ("priority", "labels", "components", SPRINT_FIELD_ID, RISK_FIELD_ID):
        assert changed.get(field_id, 0) > 10, field_id
    # the renamed option keeps its id under both names
    assert {("10202", "Severe"), ("10202", "High")} <= risk_names
