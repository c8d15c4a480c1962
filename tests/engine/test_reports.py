"""The engine's count, date, expanded, between-statuses and time-period reports, and column
titles, on small hand-built histories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dwelltime.domain.issues import Issue, Status
from dwelltime.engine.table import Cell, ColumnKind
from dwelltime.params.model import DbsMetric, DbsPoint, ReportType, TimePeriod
from tests.engine.engine_run import CATALOG, DONE, OPEN, WORK, listing, run, worked
from tests.engine.reference.issues import at, field_item, history, issue, status_item


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def bounced() -> Issue:
    """Open 10–11, In Progress 11–12, Open 12–14 (by Cy), In Progress 14–now (16:00)."""
    return issue(
        "P-2",
        at("2026-11-02 10:00"),
        WORK,
        [
            history(1, at("2026-11-02 11:00"), status_item(OPEN, WORK)),
            history(2, at("2026-11-02 12:00"), status_item(WORK, OPEN), author="Cy"),
            history(3, at("2026-11-02 14:00"), status_item(OPEN, WORK)),
        ],
    )


@pytest.mark.parametrize(
    ("report", "options", "titles", "rows"),
    [
        pytest.param(
            ReportType.STATUS_COUNT,
            {},
            ["Open", "In Progress", "Done"],
            [[1, 1, 1], [2, 2, None]],
            id="status-count",
        ),
        pytest.param(
            ReportType.STATUS_COUNT,
            {"trim_start_ms": at("2026-11-02 12:30")},
            ["Open", "In Progress", "Done"],
            [[None, 1, 1], [1, 1, None]],
            id="status-count-trimmed-creation-state-counts-once",
        ),
        pytest.param(
            ReportType.TRANSITION_COUNT,
            {},
            ["Open → In Progress", "In Progress → Open", "In Progress → Done"],
            [[1, None, 1], [2, 1, None]],
            id="transition-count",
        ),
        pytest.param(
            ReportType.TRANSITION_COUNT,
            {"statuses": ("3", "10001")},
            ["In Progress → Done"],
            [[1], [None]],
            id="transition-count-both-ends-selected",
        ),
        pytest.param(
            ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
            {"include_transitioned_by": True},
            [
                "Open",
                "Open Transitioned By",
                "In Progress",
                "In Progress Transitioned By",
                "Done",
                "Done Transitioned By",
            ],
            [
                [
                    utc("2026-11-02 10:00"),
                    None,
                    utc("2026-11-02 12:00"),
                    "Bob",
                    utc("2026-11-02 15:00"),
                    "Ann",
                ],
                [utc("2026-11-02 10:00"), None, utc("2026-11-02 11:00"), "Ann", None, None],
            ],
            id="first-to-date-with-author",
        ),
        pytest.param(
            ReportType.LAST_TRANSITION_TO_STATUS_DATE,
            {},
            ["Open", "In Progress", "Done"],
            [
                [utc("2026-11-02 10:00"), utc("2026-11-02 12:00"), utc("2026-11-02 15:00")],
                [utc("2026-11-02 12:00"), utc("2026-11-02 14:00"), None],
            ],
            id="last-to-date",
        ),
        pytest.param(
            ReportType.LAST_TRANSITION_FROM_STATUS_DATE,
            {"include_transitioned_by": True},
            [
                "Open",
                "Open Transitioned By",
                "In Progress",
                "In Progress Transitioned By",
                "Done",
                "Done Transitioned By",
            ],
            [
                [utc("2026-11-02 12:00"), "Bob", utc("2026-11-02 15:00"), "Ann", None, None],
                [utc("2026-11-02 14:00"), "Ann", utc("2026-11-02 12:00"), "Cy", None, None],
            ],
            id="last-from-date-open-visit-never-left",
        ),
        pytest.param(
            ReportType.STATUS_DURATION_BY_TIME_PERIOD,
            {"time_period": TimePeriod.DAY, "statuses": ("10001",)},
            ["Done / 2026-11-02"],
            [[60.0], [None]],
            id="time-period",
        ),
    ],
)
def test_reports(
    report: ReportType, options: dict[str, Any], titles: list[str], rows: list[list[Cell]]
) -> None:
    assert listing(run(report, [worked(), bounced()], **options)) == (titles, rows)


def test_time_period_splits_at_midnight() -> None:
    late = issue(
        "P-3",
        at("2026-10-31 23:00"),
        WORK,
        [history(1, at("2026-11-01 01:00"), status_item(OPEN, WORK))],
    )
    table = run(ReportType.TIME_PERIOD_DURATION_BY_STATUS, [late], time_period=TimePeriod.DAY)
    assert listing(table) == (
        [
            "2026-10-31 / Open",
            "2026-11-01 / Open",
            "2026-11-01 / In Progress",
            "2026-11-02 / In Progress",
        ],
        [[60.0, 60.0, 1380.0, 960.0]],
    )


def test_duration_between_statuses_with_pause_and_field_stop() -> None:
    flagged = issue(
        "P-4",
        at("2026-11-02 09:00"),
        DONE,
        [
            history(1, at("2026-11-02 10:00"), status_item(OPEN, WORK)),
            history(2, at("2026-11-02 11:00"), status_item(WORK, OPEN)),
            history(3, at("2026-11-02 11:30"), status_item(OPEN, WORK)),
            history(4, at("2026-11-02 13:00"), field_item("flag", None, "on")),
        ],
    )
    metrics = (
        DbsMetric("Cycle", DbsPoint("status", ("3",)), DbsPoint("status", ("9",)), ("1",)),
        DbsMetric("To flag", DbsPoint("creation"), DbsPoint("field", field_id="flag")),
        DbsMetric("Never", DbsPoint("status", ("9",)), DbsPoint("status", ("3",))),
    )
    table = run(ReportType.DURATION_BETWEEN_STATUSES, [flagged], dbs_metrics=metrics)
    # Cycle: 10:00 → now (16:00) = 360 min, minus Open 11:00–11:30.
    assert listing(table) == (["Cycle", "To flag", "Never"], [[330.0, 240.0, None]])


def test_expanded_rows_one_per_visit() -> None:
    table = run(ReportType.STATUS_DURATION_EXPANDED, [worked()], fields=("issuetype",))
    assert [(c.title, c.kind) for c in table.listing.columns][2:] == [
        ("Issue Type", ColumnKind.TEXT),
        ("Status", ColumnKind.TEXT),
        ("Entered", ColumnKind.DATE),
        ("Left", ColumnKind.DATE),
        ("Duration", ColumnKind.DURATION),
        ("Transitioned By", ColumnKind.TEXT),
    ]
    assert [list(row)[3:] for row in table.listing.rows()] == [
        ["Open", utc("2026-11-02 10:00"), utc("2026-11-02 12:00"), 120.0, None],
        ["In Progress", utc("2026-11-02 12:00"), utc("2026-11-02 15:00"), 180.0, "Bob"],
        ["Done", utc("2026-11-02 15:00"), utc("2026-11-02 16:00"), 60.0, "Ann"],
    ]
    assert table.aggregates == {}


GONE = Status("77", "Review")
TWIN = Status("10033", "Open")


def test_titles_of_deleted_renamed_and_duplicate_statuses() -> None:
    """A deleted status takes its last history name; shared titles get the id."""
    renamed = issue(
        "P-5",
        at("2026-11-02 10:00"),
        TWIN,
        [
            history(1, at("2026-11-02 11:00"), status_item(OPEN, Status("77", "Check"))),
            history(2, at("2026-11-02 12:00"), status_item(GONE, TWIN)),
        ],
    )
    catalog = (*CATALOG, TWIN)
    shown = run(
        ReportType.STATUS_DURATION, [renamed], catalog=catalog, include_deleted_statuses=True
    )
    hidden = run(ReportType.STATUS_DURATION, [renamed], catalog=catalog)
    assert listing(shown) == (["Open (1)", "Open (10033)", "Review"], [[60.0, 240.0, 60.0]])
    assert listing(hidden) == (["Open (1)", "Open (10033)"], [[60.0, 240.0]])


def test_report_of_no_issues() -> None:
    table = run(ReportType.STATUS_DURATION, [], statuses=("1",))
    assert listing(table) == (["Open"], [])
    average = table.aggregates[next(iter(table.aggregates))]
    assert list(average.rows()) == [[0, None]]
