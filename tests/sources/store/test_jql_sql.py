"""Compiled JQL run on a small SQLite store and on the real samples: the exact keys back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from dwelltime.config import Settings
from dwelltime.domain.issues import Issue, Project, SprintRef, Status, User
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.jql_sql import compile_jql
from tests.sources.issue_factory import TEST_SITE
from tests.sources.store.postgresql import temporary_postgresql

DAY_MS = 86_400_000
JAN_1_2026 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
NOW = JAN_1_2026 + 14 * DAY_MS + 12 * 3_600_000  # Thursday 2026-01-15 12:00 UTC

SPRINT_7 = SprintRef(7, "Sprint 7", "closed")
SPRINT_8 = SprintRef(8, "Sprint 8", "active")
SPRINT_9 = SprintRef(9, "Sprint 9", "future")


def _issue(issue_id: int, key: str, **changes: Any) -> Issue:
    base = Issue(
        id=issue_id,
        key=key,
        project_key=key.split("-")[0],
        summary=f"Summary of {key}",
        created_ms=JAN_1_2026,
        status_id="1",
        status_name="Open",
        issue_type="Bug",
        priority="High",
    )
    return replace(base, **changes)


ISSUES = [
    _issue(
        1,
        "ABC-1",
        summary="Fix the LOGIN page (50% done)",
        assignee_id="acc-1",
        assignee_name="Ann Lee",
        reporter_id="acc-2",
        reporter_name="Bob Ray",
        labels=("backend", "Urgent"),
        components=("Web",),
        fix_versions=("1.0",),
        sprints=(SPRINT_7, SPRINT_8),
        created_ms=JAN_1_2026 - 10 * DAY_MS,
        fields={"customfield_10016": 3, "customfield_10030": {"value": "Red"}},
    ),
    _issue(
        2,
        "ABC-2",
        status_id="3",
        status_name="In Progress",
        issue_type="Story",
        priority="Low",
        assignee_id="acc-2",
        assignee_name="Bob Ray",
        labels=("frontend",),
        sprints=(SPRINT_8,),
        created_ms=NOW - 3 * DAY_MS,
        updated_ms=NOW - DAY_MS,
        fields={"customfield_10016": 8.5, "customfield_10040": [{"name": "Alpha"}, "beta"]},
    ),
    _issue(
        3,
        "ABC-10",
        status_id="10001",
        status_name="Done",
        resolution="Fixed",
        resolution_date_ms=NOW - 2 * DAY_MS,
        created_ms=NOW - 10 * DAY_MS,
        sprints=(SPRINT_9,),
        fields={"customfield_10030": {"value": "Blue"}, "customfield_10050": ""},
    ),
    _issue(
        4,
        "XYZ-5",
        summary="Deleted status issue",
        status_id="77",
        status_name="Retired",
        issue_type="Task",
        priority=None,
        created_ms=NOW,
        fields={"customfield_10016": None},
    ),
    _issue(
        5,
        "XYZ-6",
        summary="Second open with the other To Do",
        status_id="10033",
        status_name="To Do",
        created_ms=NOW + DAY_MS,
        resolution="Won't Do",
    ),
]
CATALOG = [
    Status("1", "To Do", "new"),
    Status("10033", "To Do", "new"),
    Status("3", "In Progress", "indeterminate"),
    Status("10001", "Done", "done"),
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """One store per dialect for the whole table: the queries only read it."""
    if request.param == "sqlite":
        yield _filled(Settings(home=tmp_path_factory.mktemp("jql") / "home"))
        return
    with temporary_postgresql() as url:
        engine = _filled(
            Settings(home=tmp_path_factory.mktemp("jql-pg") / "home", database_url=url)
        )
        yield engine
        engine.dispose()


def _filled(settings: Settings) -> sa.Engine:
    store = IssueStore.open(settings)
    store.write(
        StoreData(
            site=TEST_SITE,
            issues=ISSUES,
            statuses=CATALOG,
            projects=[Project("100", "ABC", "Alpha Project"), Project("200", "XYZ", "Xylo")],
            users=[User("acc-1", "Ann Lee"), User("acc-2", "Bob Ray")],
            sprints=[SPRINT_7, SPRINT_8, SPRINT_9],
        )
    )
    return store.engine


def _keys(engine: sa.Engine, jql: str, now_ms: int = NOW) -> list[str]:
    compiled = compile_jql(jql, now_ms)
    issues = schema.issues
    query = sa.select(issues.c.key).where(compiled.where).order_by(*compiled.order_by, issues.c.id)
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


ALL = ["ABC-1", "ABC-2", "ABC-10", "XYZ-5", "XYZ-6"]


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        pytest.param("", ALL, id="empty-query"),
        pytest.param("project = abc", ["ABC-1", "ABC-2", "ABC-10"], id="project-key-any-case"),
        pytest.param('project = "Xylo"', ["XYZ-5", "XYZ-6"], id="project-name"),
        pytest.param("project in (100)", ["ABC-1", "ABC-2", "ABC-10"], id="project-id"),
        pytest.param("key = abc-2", ["ABC-2"], id="key"),
        pytest.param("issuekey in (ABC-1, XYZ-6)", ["ABC-1", "XYZ-6"], id="issuekey-in"),
        pytest.param("key > ABC-2", ["ABC-10"], id="key-number-order-not-text"),
        pytest.param("key <= ABC-2", ["ABC-1", "ABC-2"], id="key-at-most"),
        pytest.param("status = Open", ["ABC-1"], id="status-issue-name"),
        pytest.param('status = "to do"', ["ABC-1", "XYZ-6"], id="status-name-every-id"),
        pytest.param("status = 10033", ["XYZ-6"], id="status-id"),
        pytest.param("status = Retired", ["XYZ-5"], id="deleted-status-by-its-name"),
        pytest.param("status != Done", ["ABC-1", "ABC-2", "XYZ-5", "XYZ-6"], id="status-not-equal"),
        pytest.param('status not in ("To Do", Done)', ["ABC-2", "XYZ-5"], id="status-not-in"),
        pytest.param('statusCategory = "To Do"', ["ABC-1", "XYZ-6"], id="status-category-name"),
        pytest.param("statusCategory in (done, 4)", ["ABC-2", "ABC-10"], id="category-key-id"),
        pytest.param("statusCategory is empty", ["XYZ-5"], id="category-of-deleted-status"),
        pytest.param(
            "statusCategory in (EMPTY, done)", ["ABC-10", "XYZ-5"], id="category-or-empty"
        ),
        pytest.param("assignee = acc-1", ["ABC-1"], id="assignee-id"),
        pytest.param('assignee = "bob ray"', ["ABC-2"], id="assignee-name"),
        pytest.param("assignee is empty", ["ABC-10", "XYZ-5", "XYZ-6"], id="unassigned"),
        pytest.param("assignee = null", ["ABC-10", "XYZ-5", "XYZ-6"], id="equals-null"),
        pytest.param("assignee != acc-1", ["ABC-2"], id="not-equal-skips-empty"),
        pytest.param(
            "not assignee = acc-1", ["ABC-2", "ABC-10", "XYZ-5", "XYZ-6"], id="not-complements"
        ),
        pytest.param(
            "assignee in (acc-1, EMPTY)", ["ABC-1", "ABC-10", "XYZ-5", "XYZ-6"], id="in-empty"
        ),
        pytest.param("reporter = 'Bob Ray'", ["ABC-1"], id="reporter"),
        pytest.param("issuetype = story", ["ABC-2"], id="issuetype"),
        pytest.param("type in (Task, Story)", ["ABC-2", "XYZ-5"], id="type-alias"),
        pytest.param("priority is empty", ["XYZ-5"], id="priority-empty"),
        pytest.param("resolution = Unresolved", ["ABC-1", "ABC-2", "XYZ-5"], id="unresolved"),
        pytest.param('resolution = "Won\'t Do"', ["XYZ-6"], id="resolution-quoted"),
        pytest.param("resolution is not empty", ["ABC-10", "XYZ-6"], id="resolved-any"),
        pytest.param("labels = urgent", ["ABC-1"], id="label-any-case"),
        pytest.param("labels in (frontend, backend)", ["ABC-1", "ABC-2"], id="labels-in"),
        pytest.param("labels is empty", ["ABC-10", "XYZ-5", "XYZ-6"], id="labels-empty"),
        pytest.param("labels != backend", ["ABC-2"], id="labels-not-equal"),
        pytest.param("component = web", ["ABC-1"], id="component"),
        pytest.param("fixVersion = '1.0'", ["ABC-1"], id="fix-version"),
        pytest.param("sprint = 8", ["ABC-1", "ABC-2"], id="sprint-id"),
        pytest.param('sprint = "sprint 7"', ["ABC-1"], id="sprint-name"),
        pytest.param("sprint in openSprints()", ["ABC-1", "ABC-2"], id="open-sprints"),
        pytest.param("sprint in closedSprints()", ["ABC-1"], id="closed-sprints"),
        pytest.param("sprint in futureSprints()", ["ABC-10"], id="future-sprints"),
        pytest.param("sprint is empty", ["XYZ-5", "XYZ-6"], id="no-sprint"),
        pytest.param("summary ~ login", ["ABC-1"], id="contains-any-case"),
        pytest.param('summary ~ "50%"', ["ABC-1"], id="percent-is-literal"),
        pytest.param('text ~ "sec*open"', ["XYZ-6"], id="wildcard"),
        pytest.param("summary !~ summary", ["ABC-1", "XYZ-5", "XYZ-6"], id="not-contains"),
        pytest.param("created >= -7d", ["ABC-2", "XYZ-5", "XYZ-6"], id="relative-days"),
        pytest.param("created < -1w", ["ABC-1", "ABC-10"], id="relative-weeks"),
        pytest.param("created >= startOfDay()", ["XYZ-5", "XYZ-6"], id="start-of-day"),
        pytest.param(
            "created <= endOfDay()", ["ABC-1", "ABC-2", "ABC-10", "XYZ-5"], id="end-of-day"
        ),
        pytest.param(
            "created >= startOfWeek()", ["ABC-2", "XYZ-5", "XYZ-6"], id="week-from-monday"
        ),
        pytest.param("created < startOfMonth()", ["ABC-1"], id="start-of-month"),
        pytest.param(
            "created >= startOfMonth(-1) and created < startOfMonth()", ["ABC-1"], id="last-month"
        ),
        pytest.param(
            "created > endOfMonth(-1M)", ["ABC-2", "ABC-10", "XYZ-5", "XYZ-6"], id="offset-unit"
        ),
        pytest.param("created >= 2026-01-12", ["ABC-2", "XYZ-5", "XYZ-6"], id="absolute-date"),
        pytest.param('created < "2026/01/05 10:00"', ["ABC-1"], id="absolute-with-time"),
        pytest.param(
            "created >= startOfYear()", ["ABC-2", "ABC-10", "XYZ-5", "XYZ-6"], id="this-year"
        ),
        pytest.param("created = now()", ["XYZ-5"], id="now-exact"),
        pytest.param("updated is empty", ["ABC-1", "ABC-10", "XYZ-5", "XYZ-6"], id="updated-empty"),
        pytest.param("resolved >= -3d", ["ABC-10"], id="resolved"),
        pytest.param(
            "resolutiondate is empty", ["ABC-1", "ABC-2", "XYZ-5", "XYZ-6"], id="resolutiondate"
        ),
        pytest.param("cf[10016] > 4", ["ABC-2"], id="custom-number"),
        pytest.param("customfield_10016 <= 3", ["ABC-1"], id="custom-number-int"),
        pytest.param("cf[10030] = red", ["ABC-1"], id="custom-option-value"),
        pytest.param("cf[10030] != red", ["ABC-10"], id="custom-not-equal"),
        pytest.param("cf[10040] = alpha", ["ABC-2"], id="custom-list-object"),
        pytest.param("cf[10040] = BETA", ["ABC-2"], id="custom-list-scalar"),
        pytest.param("cf[10016] = 3", ["ABC-1"], id="custom-number-as-text"),
        pytest.param("cf[10016] is empty", ["ABC-10", "XYZ-5", "XYZ-6"], id="custom-null-absent"),
        pytest.param("cf[10050] is empty", ALL, id="custom-empty-text"),
        pytest.param("cf[10030] ~ blu", ["ABC-10"], id="custom-contains"),
        pytest.param(
            "project = ABC and (status = Done or labels = frontend)",
            ["ABC-2", "ABC-10"],
            id="and-or-parentheses",
        ),
        pytest.param(
            "project = ABC && !(status = Done) || key = XYZ-6",
            ["ABC-1", "ABC-2", "XYZ-6"],
            id="symbols",
        ),
        pytest.param("NOT project = ABC AND NOT status = Retired", ["XYZ-6"], id="not-binds-tight"),
        pytest.param(
            "order by key desc", ["XYZ-6", "XYZ-5", "ABC-10", "ABC-2", "ABC-1"], id="order-key"
        ),
        pytest.param(
            "project = ABC order by created", ["ABC-1", "ABC-10", "ABC-2"], id="order-created"
        ),
        pytest.param(
            "order by priority desc, key",
            ["XYZ-5", "ABC-2", "ABC-1", "ABC-10", "XYZ-6"],
            id="empty-first-desc",
        ),
        pytest.param(
            "order by cf[10016]",
            ["ABC-1", "ABC-2", "ABC-10", "XYZ-5", "XYZ-6"],
            id="order-custom-number",
        ),
        pytest.param(
            "order by assignee", ["ABC-1", "ABC-2", "ABC-10", "XYZ-5", "XYZ-6"], id="order-assignee"
        ),
    ],
)
def test_compiled_query_selects_exactly(engine: sa.Engine, jql: str, keys: list[str]) -> None:
    assert _keys(engine, jql) == keys


def test_relative_dates_follow_the_given_now(engine: sa.Engine) -> None:
    later = NOW + 30 * DAY_MS
    assert _keys(engine, "created >= -7d") == ["ABC-2", "XYZ-5", "XYZ-6"]
    assert _keys(engine, "created >= -7d", later) == []


def test_postgresql_gets_jsonb_and_sqlite_gets_json1() -> None:
    compiled = compile_jql("labels = a and cf[10010] = b and cf[10011] > 1", NOW)
    query = sa.select(schema.issues.c.id).where(compiled.where)
    pg_sql = str(query.compile(dialect=sa.make_url("postgresql+psycopg://").get_dialect()()))
    sqlite_sql = str(query.compile(dialect=sqlite.dialect()))
    assert "jsonb_array_elements_text" in pg_sql and "jsonb_path_query" in pg_sql
    assert "json_each" not in pg_sql and "json_tree" not in pg_sql
    assert "json_each" in sqlite_sql and "json_tree" in sqlite_sql and "jsonb" not in sqlite_sql


def test_real_samples(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    devlake = jira_samples / "devlake"
    results = list(import_files(store, [devlake / "search.json"], statuses=devlake / "status.json"))
    assert all(result.error is None for result in results)
    expectations = {
        "project = K5": ["K5-2", "K5-3", "K5-4"],
        'status = "To Do" order by key': ["K5-2", "K5-3", "K5-4"],
        "sprint in openSprints()": ["K5-2", "K5-3"],
        'sprint = "EE Sprint 9"': ["EE-17"],
        "cf[10020] = 175": ["K5-2", "K5-3"],
        'fixVersion = "v2.5.4"': ["EE-19", "EE-23"],
        'resolution = "Won\'t Do"': ["EE-20", "EE-24", "EE-26", "EE-30", "EE-35"],
        "resolution = Unresolved": ["K5-2", "K5-3", "K5-4"],
        "issuetype = 子任务 and assignee = acc-05": ["EE-27", "EE-31", "EE-36"],
        "issuetype = Epic": ["K5-4"],
        "project = EE and key >= EE-33 order by key desc": [
            "EE-37",
            "EE-36",
            "EE-35",
            "EE-34",
            "EE-33",
        ],
        "labels = saas and assignee != acc-02": ["EE-6", "EE-8", "EE-9", "EE-10"],
    }
    found = {jql: _keys(store.engine, jql) for jql in expectations}
    # Without ORDER BY the order is the store's id order; compare as sets there.
    for jql, keys in expectations.items():
        if "order by" in jql:
            assert found[jql] == keys, jql
        else:
            assert sorted(found[jql]) == sorted(keys), jql
