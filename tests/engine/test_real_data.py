"""The anonymised real Jira data: every issue's time adds up to its lifetime, counts match
its status items, and the engine agrees with the reference model on it for every report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from dwelltime.domain.issues import STATUS_FIELD, Issue, Status
from dwelltime.params.model import (
    DbsMetric,
    DbsPoint,
    ReportType,
    StatusGroup,
    TimePeriod,
    ViewFormat,
)
from dwelltime.sources.jira_json.documents import read_file
from tests.engine.reference.compare import assert_engine_agrees, engine_table
from tests.engine.reference.issues import at, params


@dataclass(frozen=True)
class Sample:
    """One folder's issues, its status catalog and a `now` after all of its history."""

    issues: list[Issue]
    catalog: list[Status]
    now_ms: int


@cache
def _load(folder: Path, issue_files: tuple[str, ...], status_file: str) -> Sample:
    """Read once per session: the files are read-only and parsing them is the slow part."""
    issues = {
        issue.key: issue
        for name in issue_files
        for path in sorted(folder.glob(name))
        for issue in read_file(path).data.issues
    }
    catalog = list(read_file(folder / status_file, statuses_only=True).data.statuses)
    return Sample(list(issues.values()), catalog, at("2026-11-29 00:00"))


@pytest.fixture(params=["devlake", "jirametrics"])
def sample(request: pytest.FixtureRequest, jira_samples: Path) -> Sample:
    if request.param == "devlake":
        return _load(jira_samples / "devlake", ("search.json",), "status.json")
    return _load(jira_samples / "jirametrics", ("*SP-*.json",), "sample_statuses.json")


def _status_items(issue: Issue) -> int:
    return sum(
        1 for h in issue.histories for item in h.items if item.effective_field_id == STATUS_FIELD
    )


def _value_sums(sample: Sample, report: ReportType) -> list[float]:
    """Per issue, the sum of the engine's value cells (seconds for durations)."""
    report_params = params(report, include_deleted_statuses=True, view_format=ViewFormat.SECONDS)
    table = engine_table(sample.issues, report_params, sample.catalog, None, sample.now_ms)
    rows = list(table.listing.rows())
    assert [row[0] for row in rows] == [issue.key for issue in sample.issues]
    return [sum(float(v) for v in row[2:] if isinstance(v, int | float)) for row in rows]


def test_samples_hold_issues_with_status_changes(sample: Sample) -> None:
    assert sample.issues
    assert sum(_status_items(issue) for issue in sample.issues) > 20


def test_durations_add_up_to_each_lifetime(sample: Sample) -> None:
    lifetimes = [(sample.now_ms - issue.created_ms) / 1000 for issue in sample.issues]
    assert _value_sums(sample, ReportType.STATUS_DURATION) == pytest.approx(lifetimes, abs=1e-6)


def test_entries_are_status_items_plus_the_creation_status(sample: Sample) -> None:
    expected = [_status_items(issue) + 1 for issue in sample.issues]
    assert _value_sums(sample, ReportType.STATUS_COUNT) == expected


def test_transitions_are_the_status_items(sample: Sample) -> None:
    expected = [_status_items(issue) for issue in sample.issues]
    assert _value_sums(sample, ReportType.TRANSITION_COUNT) == expected


@pytest.mark.parametrize("report", list(ReportType), ids=str)
def test_engine_agrees_with_reference_on_real_data(sample: Sample, report: ReportType) -> None:
    # status 3 is In Progress in both catalogs; the other ids are Done-like in one of them
    done = ("10002", "10034", "10068", "6")
    cycle = DbsMetric(
        "Cycle Time",
        DbsPoint("status", ("3",)),
        DbsPoint("status", done, occurrence="last"),
        pause_statuses=("10157",),
    )
    lead = DbsMetric("Lead Time", DbsPoint("creation"), DbsPoint("status", done))
    report_params = params(
        report,
        include_deleted_statuses=True,
        view_format=ViewFormat.SECONDS,
        fields=("issuetype", "customfield_10020"),
        group_by_fields=("issuetype",),
        include_transitioned_by=True,
        groups=(StatusGroup("Active", ("3", "10011", "10153", "10064")),),
        dbs_metrics=(cycle, lead),
        time_period=TimePeriod.MONTH,
        history_fields=("customfield_10020", "fixVersions", "priority", "issuetype"),
    )
    expected = assert_engine_agrees(
        sample.issues, report_params, sample.catalog, None, sample.now_ms
    )
    assert expected.listing.rows
