"""Hand-computed two-axis reports: time periods across a month end in two zones, and
assignees (with the unassigned stretch) crossed with statuses. Reference and engine must
both give exactly the cells worked out in the comments."""

from __future__ import annotations

import pytest

from dwelltime.domain.calendars import CalendarSpec, WorkingTime
from dwelltime.domain.issues import Status
from dwelltime.engine.table import Cell
from dwelltime.params.model import ReportType, TimePeriod, ViewFormat
from tests.engine.reference.compare import assert_engine_agrees
from tests.engine.reference.issues import assignee_item, at, history, issue, params, status_item

OPEN = Status("1", "Open")
IN_PROGRESS = Status("3", "In Progress")
DONE = Status("10001", "Done")
CATALOG = [OPEN, IN_PROGRESS, DONE]
#: every instant counts, but months start at Berlin's midnight (CET after 2026-10-25)
BERLIN_ALWAYS = CalendarSpec(
    "2", "Always", "Europe/Berlin", tuple(WorkingTime(day, 0, 86_400_000) for day in range(7))
)

# created 2026-10-31 00:00 UTC in Open; In Progress 12:00 UTC; Done 2026-11-01 06:00 UTC
MONTH_END = issue(
    "P-20",
    at("2026-10-31 00:00"),
    DONE,
    [
        history(1, at("2026-10-31 12:00"), status_item(OPEN, IN_PROGRESS)),
        history(2, at("2026-11-01 06:00"), status_item(IN_PROGRESS, DONE)),
    ],
)


@pytest.mark.parametrize(
    ("report", "calendar", "titles", "cells"),
    [
        pytest.param(
            ReportType.STATUS_DURATION_BY_TIME_PERIOD,
            None,
            # UTC months: Open 12 h in October; In Progress 12 h in October and 6 h in
            # November; Done 06:00 → now 12:00 = 6 h in November
            ["Open / 2026-10", "In Progress / 2026-10", "In Progress / 2026-11", "Done / 2026-11"],
            [12.0, 12.0, 6.0, 6.0],
            id="status-major-utc",
        ),
        pytest.param(
            ReportType.TIME_PERIOD_DURATION_BY_STATUS,
            BERLIN_ALWAYS,
            # November starts at 2026-10-31 23:00 UTC: In Progress 12:00 → 23:00 = 11 h in
            # October, 23:00 → 06:00 = 7 h in November
            ["2026-10 / Open", "2026-10 / In Progress", "2026-11 / In Progress", "2026-11 / Done"],
            [12.0, 11.0, 7.0, 6.0],
            id="period-major-berlin",
        ),
    ],
)
def test_time_periods_split_at_local_month_starts(
    report: ReportType, calendar: CalendarSpec | None, titles: list[str], cells: list[Cell]
) -> None:
    report_params = params(report, view_format=ViewFormat.HOURS, time_period=TimePeriod.MONTH)
    expected = assert_engine_agrees(
        [MONTH_END], report_params, CATALOG, calendar, at("2026-11-01 12:00")
    )
    assert [c.title for c in expected.listing.columns] == ["Key", "Summary", *titles]
    assert expected.listing.rows == [["P-20", "Summary of P-20", *cells]]


ANN = ("acc-1", "Ann")
BOB = ("acc-2", "bob")
# created Sunday 00:00 in Open with Ann; unassigned at 06:00; at 09:00 one history gives it
# to bob and moves it to In Progress; now Monday 00:00.
HANDED_OVER = issue(
    "P-21",
    at("2026-11-29 00:00"),
    IN_PROGRESS,
    [
        history(1, at("2026-11-29 06:00"), assignee_item(ANN, None)),
        history(
            2, at("2026-11-29 09:00"), assignee_item(None, BOB), status_item(OPEN, IN_PROGRESS)
        ),
    ],
    assignee_id=BOB[0],
    assignee_name=BOB[1],
)


@pytest.mark.parametrize(
    ("report", "titles", "cells"),
    [
        # by title case-insensitively (Ann, bob), Unassigned last: 6 h, 15 h, 3 h
        pytest.param(ReportType.ASSIGNEE_DURATION, ["Ann", "bob", "Unassigned"], [6.0, 15.0, 3.0]),
        # one history switches both: no 0 ms (Unassigned, In Progress) or (bob, Open) pair
        pytest.param(
            ReportType.STATUS_DURATION_BY_ASSIGNEE,
            ["Ann / Open", "bob / In Progress", "Unassigned / Open"],
            [6.0, 15.0, 3.0],
        ),
        pytest.param(
            ReportType.ASSIGNEE_DURATION_BY_STATUS,
            ["Open / Ann", "Open / Unassigned", "In Progress / bob"],
            [6.0, 3.0, 15.0],
        ),
    ],
)
def test_assignee_axes(report: ReportType, titles: list[str], cells: list[Cell]) -> None:
    expected = assert_engine_agrees(
        [HANDED_OVER],
        params(report, view_format=ViewFormat.HOURS),
        CATALOG,
        None,
        at("2026-11-30 00:00"),
    )
    assert [c.title for c in expected.listing.columns] == ["Key", "Summary", *titles]
    assert expected.listing.rows == [["P-21", "Summary of P-21", *cells]]
