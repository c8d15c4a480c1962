"""Hand-computed calculated fields (SPEC §8.5) in the List and as group-by columns; every
case is also checked against the reference."""

from __future__ import annotations

from dataclasses import replace

from dwelltime.engine.table import AggregateKind, ColumnKind
from dwelltime.params.model import ReportType, ViewFormat
from tests.engine.golden.cases import DONE, NOW, OPEN, report
from tests.engine.reference.issues import at, history, issue, office_calendar, params, status_item

CALCULATED = (
    "calc:projectKey",
    "calc:issueType",
    "calc:currentStatus",
    "calc:leadTime",
    "calc:age",
)
# created Monday Nov 2 09:00, resolved Tuesday 10:00:00.500 (read to the second)
RESOLVED = replace(
    issue(
        "ABC-1",
        at("2026-11-02 09:00"),
        DONE,
        [history(1, at("2026-11-03 10:00"), status_item(OPEN, DONE))],
        resolution_date_ms=at("2026-11-03 10:00:00.500"),
        issue_type="Bug",
    ),
    project_key="ABC",
)
OPEN_STORY = issue("P-2", at("2026-11-01 00:00"), OPEN, [], issue_type="Story")


def test_calculated_columns_follow_the_calendar_and_view_format() -> None:
    result = report(
        [RESOLVED, OPEN_STORY],
        params(ReportType.STATUS_DURATION, fields=CALCULATED, view_format=ViewFormat.HOURS),
        office_calendar(),
    )
    columns = result.listing.columns[2:7]
    assert [(c.title, c.kind) for c in columns] == [
        ("Project Key", ColumnKind.TEXT),
        ("Issue Type", ColumnKind.TEXT),
        ("Current Status", ColumnKind.TEXT),
        ("Lead Time", ColumnKind.DURATION),
        ("Age", ColumnKind.DURATION),
    ]
    # 09:00-17:00 Mon-Fri: lead time Mon 8 h + Tue 1 h; age to Monday Nov 30 00:00 is
    # 20 working days (160 h) for both, P-2 being created on the Sunday before ABC-1
    assert [row[2:7] for row in result.listing.rows] == [
        ["ABC", "Bug", "Done", 9.0, 160.0],
        ["P", "Story", "Open", None, 160.0],
    ]


def test_group_by_a_calculated_field() -> None:
    result = report(
        [RESOLVED, OPEN_STORY],
        params(
            ReportType.STATUS_DURATION,
            group_by_fields=("calc:projectKey", "calc:leadTime"),
            view_format=ViewFormat.DAYS,
        ),
        now_ms=NOW,
    )
    sums = result.aggregates[AggregateKind.SUM]
    assert [c.title for c in sums.columns[:3]] == ["Project Key", "Lead Time", "Issue Count"]
    # normalHours: lead time 25 h = 1.04 days; an open issue has none
    assert [row[:3] for row in sums.rows] == [["ABC", 1.04, 1], ["P", None, 1]]
