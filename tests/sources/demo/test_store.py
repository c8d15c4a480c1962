"""The demo written through the issue store and the `dwelltime demo-data` command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dwelltime.cli.app import app
from dwelltime.cli.commands import register_all
from dwelltime.config import Settings
from dwelltime.domain.calendars import CalendarSpec, WorkingTime
from dwelltime.domain.issues import STATUS_FIELD, Issue
from dwelltime.domain.selection import Selection
from dwelltime.errors import DwelltimeError
from dwelltime.sources.demo.catalog import calendars
from dwelltime.sources.demo.generator import DEFAULT_NOW_MS, generate_demo, write_demo
from dwelltime.sources.store.calendars import list_calendars, load_calendar, save_calendar
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource


def test_write_demo_stores_every_issue_history_catalog_and_calendar(settings: Settings) -> None:
    store = IssueStore.open(settings)
    heard: list[int] = []
    counts = write_demo(store, 120, projects=2, seed=5, on_chunk=lambda c: heard.append(c.issues))
    issues = [issue for chunk in generate_demo(120, 2, 5) for issue in chunk.issues]
    histories = sum(len(issue.histories) for issue in issues)
    status_changes = sum(
        item.field_id == STATUS_FIELD
        for issue in issues
        for history in issue.histories
        for item in history.items
    )
    expected = (120, histories, status_changes)
    assert (counts.issues, counts.histories, counts.status_changes) == expected
    assert sum(heard) == 120
    stats = store.stats()
    assert (stats.issues, stats.histories, stats.status_changes) == expected
    assert stats.statuses == 13 and stats.filters > 0 and stats.sprints > 0
    assert [project.key for project in stats.projects] == ["PAY", "WEB"]
    assert list_calendars(store.engine) == list(calendars())


def test_every_saved_filter_runs_on_the_store_and_selects_what_it_says(
    settings: Settings,
) -> None:
    store = IssueStore.open(settings)
    write_demo(store, 800, projects=2, seed=3)
    chunks = list(generate_demo(800, 2, 3))
    issues = [issue for chunk in chunks for issue in chunk.issues]
    member = chunks[0].users[3].id  # the third member of the first team

    def unresolved(issue: Issue) -> bool:
        return issue.resolution is None

    expected = {
        "PAY-wip": lambda i: i.project_key == "PAY" and i.status_name == "In Progress",
        "WEB-wip": lambda i: i.project_key == "WEB" and i.status_name == "In Progress",
        "PAY-bugs": lambda i: i.project_key == "PAY" and i.issue_type == "Bug" and unresolved(i),
        "WEB-bugs": lambda i: i.project_key == "WEB" and i.issue_type == "Bug" and unresolved(i),
        "mine": lambda i: i.assignee_id == member,
        "urgent": lambda i: i.priority in {"Highest", "High"},
        "customer": lambda i: "customer" in i.labels and unresolved(i),
    }
    assert {saved.id for saved in chunks[0].filters} == set(expected)
    for filter_id, wanted in expected.items():
        selection = Selection("jqlfilter", filter_id, now_ms=DEFAULT_NOW_MS)
        count = LocalSource(store).count(selection)
        assert count == sum(map(wanted, issues)) > 0, filter_id


def test_a_store_holding_issues_is_refused_and_left_alone(settings: Settings) -> None:
    store = IssueStore.open(settings)
    write_demo(store, 30, seed=1)
    before = store.stats()
    with pytest.raises(DwelltimeError, match="already holds issues"):
        write_demo(store, 50, seed=2)
    assert store.stats() == before


def test_a_calendar_stored_under_a_demo_id_is_kept(settings: Settings) -> None:
    store = IssueStore.open(settings)
    mine = CalendarSpec("1", "Mine", "UTC", (WorkingTime(0, 0, 3_600_000),))
    save_calendar(store.engine, mine)
    write_demo(store, 10)
    assert load_calendar(store.engine, "1") == mine
    assert load_calendar(store.engine, "2") == calendars()[1]


def test_demo_data_command(settings: Settings) -> None:
    register_all()  # commands register when imported, which the CLI does lazily
    runner = CliRunner()
    env = {"DWELLTIME_HOME": str(settings.home)}
    first = runner.invoke(app, ["demo-data", "--issues", "40", "--projects", "2"], env=env)
    assert first.exit_code == 0, first.output
    assert "40 issues in 2 projects" in first.stdout
    skipped = runner.invoke(app, ["demo-data", "--if-empty"], env=env)
    assert skipped.exit_code == 0
    assert "already holds issues: no demo data added" in skipped.stdout
    refused = runner.invoke(app, ["demo-data", "--issues", "5"], env=env)
    assert refused.exit_code == 1
    assert "already holds issues" in refused.stderr
    assert IssueStore.open(settings).stats().issues == 40


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["--issues", "-3"], id="negative-issues"),
        pytest.param(["--projects", "0"], id="no-projects"),
        pytest.param(["--projects", "99"], id="too-many-projects"),
    ],
)
def test_demo_data_command_refuses_bad_options(settings: Settings, arguments: list[str]) -> None:
    result = CliRunner().invoke(
        app, ["demo-data", *arguments], env={"DWELLTIME_HOME": str(settings.home)}
    )
    assert result.exit_code == 2
    assert arguments[0] in result.stderr
