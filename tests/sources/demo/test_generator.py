"""Invariants of the demo generator, over several seeds, sizes and project counts."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue
from dwelltime.errors import InvalidParameters
from dwelltime.sources.demo.catalog import build_projects
from dwelltime.sources.demo.fields import SPRINT_FIELD_ID
from dwelltime.sources.demo.generator import DEFAULT_NOW_MS, EARLIEST_NOW_MS, generate_demo
from dwelltime.sources.demo.workflows import CATEGORIES, DONE, RENAMES, RESOLVED, STATUSES
from dwelltime.sources.jira_json.values import parse_sprints
from dwelltime.sources.store.issue_store import StoreData


@cache
def demo(issues: int, projects: int, seed: int, now_ms: int = DEFAULT_NOW_MS) -> list[StoreData]:
    return list(generate_demo(issues, projects, seed, now_ms, chunk_size=100))


def all_issues(chunks: list[StoreData]) -> list[Issue]:
    return [issue for chunk in chunks for issue in chunk.issues]


def changes(issue: Issue, field_id: str) -> list[tuple[int, str | None, str | None]]:
    """(history created, from, to) of every item of `field_id`, in history order."""
    return [
        (history.created_ms, item.from_value, item.to_value)
        for history in issue.histories
        for item in history.items
        if item.effective_field_id == field_id
    ]


def check_invariants(issues: int, projects: int, seed: int, now_ms: int) -> None:
    chunks = demo(issues, projects, seed, now_ms)
    catalog, generated = chunks[0], all_issues(chunks)
    assert not catalog.issues and all(not chunk.statuses for chunk in chunks[1:])
    assert len(generated) == issues
    assert len(catalog.projects) == projects
    assert all(len(chunk.issues) <= 100 for chunk in chunks[1:])
    initial = {p.project.key: p.workflow.initial for p in build_projects(projects, seed, now_ms)}
    catalog_ids = {status.id for status in catalog.statuses}
    user_ids = {user.id for user in catalog.users}
    history_ids = [history.id for issue in generated for history in issue.histories]
    assert len(history_ids) == len(set(history_ids)), "history ids are unique"
    assert len({issue.id for issue in generated}) == issues
    assert len({issue.key for issue in generated}) == issues
    for issue in generated:
        _check_issue(issue, initial[issue.project_key], catalog_ids, user_ids, now_ms)


def _check_issue(
    issue: Issue, initial: str, catalog_ids: set[str], user_ids: set[str], now_ms: int
) -> None:
    stamps = [history.created_ms for history in issue.histories]
    assert stamps == sorted(stamps), issue.key
    assert all(issue.created_ms <= stamp <= now_ms for stamp in stamps), issue.key
    ids = [history.id for history in issue.histories]
    assert ids == sorted(ids), issue.key
    assert issue.updated_ms == (stamps[-1] if stamps else issue.created_ms)
    assert all(history.author_id in user_ids for history in issue.histories)

    status_chain = changes(issue, STATUS_FIELD)
    current = initial
    for _, source, target in status_chain:
        assert source == current, f"{issue.key}: a change from {source}, but it was in {current}"
        assert target is not None and (target in catalog_ids or target == RESOLVED)
        current = target
    assert issue.status_id == current, issue.key
    assert issue.status_id in catalog_ids, "no issue rests in a deleted status"

    # The assignee at creation leaves no history: the chain starts at the first `from`.
    assignee_chain = changes(issue, ASSIGNEE_FIELD)
    if assignee_chain:
        holder = assignee_chain[0][1]
        for _, source, target in assignee_chain:
            assert source == holder and target != source, issue.key
            holder = target
        assert issue.assignee_id == holder, issue.key

    sprint_ids = ""
    for _, source, target in changes(issue, SPRINT_FIELD_ID):
        assert source == sprint_ids, issue.key
        sprint_ids = target or ""
    assert sprint_ids == ", ".join(str(sprint.id) for sprint in issue.sprints), issue.key
    # The raw Sprint field says the same, in the shape the importer reads from Jira.
    raw_sprints = issue.fields.get(SPRINT_FIELD_ID)
    assert (parse_sprints(raw_sprints, issue.key) if raw_sprints else ()) == issue.sprints

    resolved = CATEGORIES[issue.status_id] == DONE
    assert (issue.resolution is not None) == resolved, issue.key
    assert (issue.resolution_date_ms is not None) == resolved, issue.key
    if issue.resolution_date_ms is not None:
        assert issue.created_ms < issue.resolution_date_ms <= now_ms


@pytest.mark.parametrize(
    ("issues", "projects", "seed", "now_ms"),
    [
        pytest.param(600, 3, 1, DEFAULT_NOW_MS, id="default-shape"),
        pytest.param(250, 1, 7, DEFAULT_NOW_MS, id="one-project"),
        pytest.param(400, 11, 42, DEFAULT_NOW_MS, id="more-projects-than-names"),
        pytest.param(300, 3, 5, EARLIEST_NOW_MS, id="earliest-now"),
        pytest.param(0, 2, 3, DEFAULT_NOW_MS, id="no-issues"),
    ],
)
def test_invariants_hold(issues: int, projects: int, seed: int, now_ms: int) -> None:
    check_invariants(issues, projects, seed, now_ms)


@settings(max_examples=12, deadline=None)
@given(
    issues=st.integers(min_value=0, max_value=120),
    projects=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=-(2**40), max_value=2**40),
)
def test_invariants_hold_for_any_seed(issues: int, projects: int, seed: int) -> None:
    check_invariants(issues, projects, seed, DEFAULT_NOW_MS)


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    first = list(generate_demo(300, 3, seed=9))
    again = list(generate_demo(300, 3, seed=9))
    other = list(generate_demo(300, 3, seed=10))
    assert first == again
    assert all_issues(first) != all_issues(other)
    assert first[0].users != other[0].users, "team names come from the seed too"


def test_another_process_with_other_hash_seed_and_global_rng_draws_the_same() -> None:
    # Guards against set iteration order, the global `random` and anything per-process.
    code = (
        "import hashlib, random; random.seed(99); "
        "from dwelltime.sources.demo.generator import generate_demo; "
        "print(hashlib.sha256(repr(list(generate_demo(80, 3, 5))).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    here = hashlib.sha256(repr(list(generate_demo(80, 3, 5))).encode()).hexdigest()
    assert result.stdout.strip() == here


def test_chunk_size_does_not_change_the_data() -> None:
    whole = all_issues(list(generate_demo(230, 3, seed=4, chunk_size=5_000)))
    chunked = all_issues(list(generate_demo(230, 3, seed=4, chunk_size=7)))
    assert whole == chunked


def test_keys_follow_creation_order_within_each_project() -> None:
    issues = all_issues(demo(600, 3, 1))
    for key in {issue.project_key for issue in issues}:
        mine = [issue for issue in issues if issue.project_key == key]
        assert [issue.key for issue in mine] == [f"{key}-{n}" for n in range(1, len(mine) + 1)]
        assert [i.created_ms for i in mine] == sorted(i.created_ms for i in mine)


def test_catalog_keeps_the_duplicate_name_and_drops_the_deleted_status() -> None:
    names = [status.name for status in STATUSES]
    assert names.count("To Do") == 2
    assert RESOLVED not in {status.id for status in STATUSES}
    assert {status.category for status in STATUSES} == {"new", "indeterminate", "done"}
    assert all(status_id in {s.id for s in STATUSES} for status_id in RENAMES)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        pytest.param({"issues": -1}, "issues", id="negative-issues"),
        pytest.param({"issues": 10, "projects": 0}, "projects", id="no-projects"),
        pytest.param({"issues": 10, "projects": 51}, "projects", id="too-many-projects"),
        pytest.param({"issues": 10, "now_ms": 0}, "now", id="now-before-the-quirks"),
        pytest.param({"issues": 10, "chunk_size": 0}, "chunk_size", id="empty-chunks"),
    ],
)
def test_bad_arguments_are_refused_before_drawing(kwargs: dict[str, int], named: str) -> None:
    with pytest.raises(InvalidParameters) as raised:
        generate_demo(**kwargs)
    assert raised.value.messages is not None
    assert [message.split()[0] for message in raised.value.messages] == [named]
