"""run_report end to end on a SQLite store: demo data, progress, abort, early refusal, and
the real Jira samples (durations add up to each issue's lifetime, counts to its changes)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dwelltime.config import Settings
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.errors import ExportAborted, ReportTooLarge
from dwelltime.params.model import OutputType, ReportParams, ReportType, ViewFormat
from dwelltime.pipeline import run_report
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource

NOW = 1_800_000_000_000  # 2027-01-15, after every demo and sample instant
DEMO_PROJECT = "PAY"  # the first project of the demo data


class Recorder:
    """A Progress that records what it is told and stops after `stop_after` calls."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.total: int | None = None
        self.completed: list[int] = []
        self._stop_after = stop_after

    def started(self, total: int) -> None:
        self.total = total

    def advanced(self, completed: int) -> None:
        self.completed.append(completed)

    def should_stop(self) -> bool:
        return self._stop_after is not None and len(self.completed) >= self._stop_after


def report_params(project: str, report: ReportType, **options: Any) -> ReportParams:
    return ReportParams(
        filter_type="project",
        filter_value=project,
        columns_by=report,
        output_type=options.pop("output_type", OutputType.CSV),
        view_format=ViewFormat.SECONDS,
        include_deleted_statuses=True,
        **options,
    )


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def created_by_key(source: LocalSource, project: str) -> dict[str, int]:
    selection = Selection("project", project)
    return {
        key: created
        for batch in source.batches(selection, 500)
        for key, created in batch.issues.select("key", "created_ms").iter_rows()
    }


def status_items_by_key(source: LocalSource, project: str) -> dict[str, int]:
    selection = Selection("project", project)
    counts: dict[str, int] = {}
    for batch in source.batches(selection, 500):
        keys = dict(batch.issues.select("issue_id", "key").iter_rows())
        counts |= dict.fromkeys(keys.values(), 0)
        for issue_id in batch.changes.filter(field_id="status")["issue_id"]:
            counts[keys[issue_id]] += 1
    return counts


def assert_lifetimes(source: LocalSource, project: str) -> int:
    """Every issue's status durations add up to now - created; its entries to changes + 1."""
    durations = io.BytesIO()
    run_report(report_params(project, ReportType.STATUS_DURATION), source, NOW, durations)
    counts = io.BytesIO()
    run_report(report_params(project, ReportType.STATUS_COUNT), source, NOW, counts)
    created = created_by_key(source, project)
    items = status_items_by_key(source, project)
    duration_rows = csv_rows(durations.getvalue())
    assert [row["Key"] for row in duration_rows] == list(created)
    for row in duration_rows:
        values = [float(v) for name, v in row.items() if name not in ("Key", "Summary") and v]
        assert round(sum(values) * 1000) == NOW - created[row["Key"]], row["Key"]
    for row in csv_rows(counts.getvalue()):
        values = [int(v) for name, v in row.items() if name not in ("Key", "Summary") and v]
        assert sum(values) == items[row["Key"]] + 1, row["Key"]
    return len(duration_rows)


@pytest.fixture
def demo_source(settings: Settings) -> LocalSource:
    store = IssueStore.open(settings)
    write_demo(store, 60, projects=1)
    return LocalSource(store)


def test_demo_lifetimes_and_progress(demo_source: LocalSource, tmp_path: Path) -> None:
    assert assert_lifetimes(demo_source, DEMO_PROJECT) == 60
    recorder = Recorder()
    workdir = tmp_path / "work"
    workdir.mkdir()
    params = report_params(DEMO_PROJECT, ReportType.STATUS_DURATION, output_type=OutputType.XLSX)
    outcome = run_report(
        params, demo_source, NOW, io.BytesIO(), recorder, batch_size=25, workdir=workdir
    )
    # Three batches of 25 at most, of one size: the store reads no short last batch.
    assert (recorder.total, recorder.completed) == (60, [20, 40, 60])
    assert (outcome.issues, outcome.rows) == (60, 60)
    assert list(workdir.iterdir()) == []


def test_demo_any_field_report_from_the_store(demo_source: LocalSource) -> None:
    """Through the store and the writer: each single-valued field's columns add up to the
    lifetime, and renamed or text-only values do not split a column."""
    fields = ("priority", "customfield_10050", "components", "labels")
    out = io.BytesIO()
    params = report_params(DEMO_PROJECT, ReportType.ANY_FIELD_DURATION, history_fields=fields)
    run_report(params, demo_source, NOW, out)
    rows = csv_rows(out.getvalue())
    created = created_by_key(demo_source, DEMO_PROJECT)
    titles = list(rows[0])
    assert "customfield_10050: Severe" not in titles  # renamed: one column, current name
    assert len([t for t in titles if t == "Priority: Medium"]) == 1
    for row in rows:
        for prefix in ("Priority: ", "customfield_10050: "):
            values = [float(v) for name, v in row.items() if name.startswith(prefix) and v]
            assert round(sum(values) * 1000) == NOW - created[row["Key"]], (prefix, row["Key"])


def test_abort_between_batches_removes_the_stage(demo_source: LocalSource, tmp_path: Path) -> None:
    recorder = Recorder(stop_after=1)
    params = report_params(DEMO_PROJECT, ReportType.STATUS_DURATION)
    workdir = tmp_path / "work"
    workdir.mkdir()
    with pytest.raises(ExportAborted, match="after 20 of 60 issues"):
        run_report(params, demo_source, NOW, io.BytesIO(), recorder, batch_size=20, workdir=workdir)
    assert list(workdir.iterdir()) == []


class Unreadable:
    """A source that must not be read: the report is refused before."""

    def computing(self, selection: Selection) -> AbstractContextManager[None]:
        raise AssertionError("asked")

    def statuses(self) -> list[Status]:
        return []

    def count(self, selection: Selection) -> int:
        raise AssertionError("counted")

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        raise AssertionError("read")

    def visited_statuses(self, selection: Selection, deleted: bool) -> pl.DataFrame:
        raise AssertionError("listed")

    def visited_transitions(self, selection: Selection) -> pl.DataFrame:
        raise AssertionError("listed")

    def resume_key(self, selection: Selection) -> tuple[Any, ...] | None:
        raise AssertionError("keyed")

    def newest_row(self) -> int | None:
        raise AssertionError("bounded")

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return None

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        return None


def test_summary_only_when_asked_and_human_readable_in_hours(demo_source: LocalSource) -> None:
    def outcome(view: ViewFormat, with_summary: bool = True) -> Any:
        params = replace(report_params(DEMO_PROJECT, ReportType.STATUS_DURATION), view_format=view)
        return run_report(params, demo_source, NOW, io.BytesIO(), with_summary=with_summary)

    assert outcome(ViewFormat.HOURS, with_summary=False).summary is None
    hours = outcome(ViewFormat.HOURS).summary
    human = outcome(ViewFormat.HUMAN_READABLE).summary
    assert hours is not None and hours["unit"] == "hours"
    assert human == hours
    assert any(value for value in hours["groups"][0]["average"])


def test_xls_refuses_too_many_statuses_before_reading() -> None:
    params = report_params(
        "P",
        ReportType.STATUS_DURATION,
        output_type=OutputType.XLS,
        statuses=tuple(str(n) for n in range(300)),
    )
    with pytest.raises(ReportTooLarge, match="256"):
        run_report(params, Unreadable(), NOW, io.BytesIO())


def test_real_samples_add_up(jira_samples: Path, settings: Settings) -> None:
    store = IssueStore.open(settings)
    devlake = jira_samples / "devlake"
    results = list(import_files(store, [devlake / "search.json"], devlake / "status.json"))
    assert all(result.counts is not None for result in results)
    issues = json.loads((devlake / "search.json").read_text(encoding="utf-8"))["issues"]
    projects = sorted({issue["key"].rsplit("-", 1)[0] for issue in issues})
    source = LocalSource(store)
    assert sum(assert_lifetimes(source, project) for project in projects) == 33
