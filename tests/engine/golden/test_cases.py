"""Hand-computed reports about visits: every expected cell below was worked out by hand
(see comments), and both the reference model and the engine must produce exactly it."""

from __future__ import annotations

from datetime import datetime

import pytest

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.engine.table import Cell
from dwelltime.params.model import DayLength, DbsMetric, DbsPoint, ReportType, ViewFormat
from tests.engine.golden.cases import DONE, HEAD, IN_PROGRESS, NOW, OPEN, REVIEW, listing, report
from tests.engine.reference.issues import at, history, issue, office_calendar, params, status_item

# SPEC §4: created Friday 2026-11-20 09:00 in Open, In Progress from Friday 16:00 to
# Wednesday 2026-11-25 16:00, then Done until now (Monday 2026-11-30 00:00).
WORKED_EXAMPLE = issue(
    "P-1",
    at("2026-11-20 09:00"),
    DONE,
    [
        history(1, at("2026-11-20 16:00"), status_item(OPEN, IN_PROGRESS)),
        history(2, at("2026-11-25 16:00"), status_item(IN_PROGRESS, DONE)),
    ],
)


@pytest.mark.parametrize(
    ("calendar", "day_length", "cells"),
    [
        # office: Open 7 h = 0.875 → 0.88 (round half-even of the float 0.875);
        # In Progress Fri 1 h + Mon 8 + Tue 8 + Wed 7 = 24 h = 3 business days;
        # Done Wed 1 h + Thu 8 + Fri 8 = 17 h = 2.125 → 2.12.
        pytest.param(office_calendar(), DayLength.BUSINESS_DAYS, [0.88, 3.0, 2.12], id="business"),
        # the same working hours in 24-hour days: 7/24 → 0.29, 24/24 = 1.0, 17/24 → 0.71
        pytest.param(office_calendar(), DayLength.HOURS_24, [0.29, 1.0, 0.71], id="office-24h"),
        # normalHours: Open 7 h → 0.29, In Progress 120 h = 5.0, Done Wed 16:00 → Mon 00:00
        # = 104 h = 4.333… → 4.33
        pytest.param(None, DayLength.HOURS_24, [0.29, 5.0, 4.33], id="normalHours"),
    ],
)
def test_worked_example_of_spec(
    calendar: CalendarSpec | None, day_length: DayLength, cells: list[Cell]
) -> None:
    result = report(
        [WORKED_EXAMPLE],
        params(ReportType.STATUS_DURATION, view_format=ViewFormat.DAYS, day_length=day_length),
        calendar,
    )
    assert listing(result) == (
        [*HEAD, "Open", "In Progress", "Done"],
        [["P-1", "Summary of P-1", *cells]],
    )


def test_worked_example_in_human_readable_business_days() -> None:
    # 7 h; 24 h = 3 days of 8 h; 17 h = 2 days of 8 h + 1 h
    result = report(
        [WORKED_EXAMPLE],
        params(
            ReportType.STATUS_DURATION,
            view_format=ViewFormat.HUMAN_READABLE,
            day_length=DayLength.BUSINESS_DAYS,
        ),
        office_calendar(),
    )
    assert listing(result)[1] == [["P-1", "Summary of P-1", "7h", "3d", "2d 1h"]]


def test_issue_without_status_change_stays_in_its_current_status() -> None:
    # created Sunday 2026-11-29 10:00 in Open, now Monday 00:00: 14 h = 840 minutes
    quiet = issue("P-2", at("2026-11-29 10:00"), OPEN)
    duration = report([quiet], params(ReportType.STATUS_DURATION))
    assert listing(duration) == ([*HEAD, "Open"], [["P-2", "Summary of P-2", 840.0]])
    count = report([quiet], params(ReportType.STATUS_COUNT))
    assert listing(count) == ([*HEAD, "Open"], [["P-2", "Summary of P-2", 1]])
    transitions = report([quiet], params(ReportType.TRANSITION_COUNT))
    assert listing(transitions) == (HEAD, [["P-2", "Summary of P-2"]])


# created 2026-11-29 00:00 in Open; at 06:00 two histories move it Open → In Progress → Done
SAME_INSTANT = issue(
    "P-3",
    at("2026-11-29 00:00"),
    DONE,
    [
        history(11, at("2026-11-29 06:00"), status_item(OPEN, IN_PROGRESS)),
        history(12, at("2026-11-29 06:00"), status_item(IN_PROGRESS, DONE)),
    ],
)


def test_status_entered_and_left_at_one_instant_is_a_zero_visit() -> None:
    # Open 6 h = 360 min, In Progress 0 (not empty), Done 18 h = 1080 min
    duration = report([SAME_INSTANT], params(ReportType.STATUS_DURATION))
    assert listing(duration) == (
        [*HEAD, "Open", "In Progress", "Done"],
        [["P-3", "Summary of P-3", 360.0, 0.0, 1080.0]],
    )
    count = report([SAME_INSTANT], params(ReportType.STATUS_COUNT))
    assert listing(count)[1] == [["P-3", "Summary of P-3", 1, 1, 1]]
    transitions = report([SAME_INSTANT], params(ReportType.TRANSITION_COUNT))
    assert listing(transitions) == (
        [*HEAD, "Open → In Progress", "In Progress → Done"],
        [["P-3", "Summary of P-3", 1, 1]],
    )


def test_histories_sharing_a_timestamp_are_ordered_by_history_id() -> None:
    # delivered 30, 10, 20 at one instant (06:00); by id: Open → In Progress (10),
    # In Progress → Review (20), Review → Done (30). Read in delivery order the issue would
    # end in Review; by id it ends in Done: Open 6 h, In Progress 0, Review 0, Done 18 h.
    moment = at("2026-11-29 06:00")
    shuffled = issue(
        "P-4",
        at("2026-11-29 00:00"),
        DONE,
        [
            history(30, moment, status_item(REVIEW, DONE)),
            history(10, moment, status_item(OPEN, IN_PROGRESS)),
            history(20, moment, status_item(IN_PROGRESS, REVIEW)),
        ],
    )
    result = report([shuffled], params(ReportType.STATUS_DURATION, view_format=ViewFormat.HOURS))
    assert listing(result) == (
        [*HEAD, "Open", "In Progress", "Review", "Done"],
        [["P-4", "Summary of P-4", 6.0, 0.0, 0.0, 18.0]],
    )


# created Saturday 2026-11-28 00:00 in Open; Bob moves it to In Progress at 12:00, Cy to Done
# on Sunday 00:00; the source delivers the newest history first.
NEWEST_FIRST = issue(
    "P-5",
    at("2026-11-28 00:00"),
    DONE,
    [
        history(2, at("2026-11-29 00:00"), status_item(IN_PROGRESS, DONE), author="Cy"),
        history(1, at("2026-11-28 12:00"), status_item(OPEN, IN_PROGRESS), author="Bob"),
    ],
)
P5 = ["P-5", "Summary of P-5"]


def test_history_delivered_newest_first() -> None:
    result = report(
        [NEWEST_FIRST], params(ReportType.STATUS_DURATION, view_format=ViewFormat.HOURS)
    )
    assert listing(result)[1] == [[*P5, 12.0, 12.0, 24.0]]


def test_expanded_lists_every_visit_with_who_entered_it() -> None:
    result = report([NEWEST_FIRST], params(ReportType.STATUS_DURATION_EXPANDED))
    titles, rows = listing(result)
    assert titles == [*HEAD, "Status", "Entered", "Left", "Duration", "Transitioned By"]
    assert [[*row[:3], str(row[3]), str(row[4]), *row[5:]] for row in rows] == [
        [*P5, "Open", "2026-11-28 00:00:00+00:00", "2026-11-28 12:00:00+00:00", 720.0, None],
        [
            *P5,
            "In Progress",
            "2026-11-28 12:00:00+00:00",
            "2026-11-29 00:00:00+00:00",
            720.0,
            "Bob",
        ],
        [*P5, "Done", "2026-11-29 00:00:00+00:00", "2026-11-30 00:00:00+00:00", 1440.0, "Cy"],
    ]


@pytest.mark.parametrize(
    ("report_type", "cells"),
    [
        pytest.param(
            ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
            [
                *("2026-11-28 00:00:00+00:00", None),
                *("2026-11-28 12:00:00+00:00", "Bob"),
                *("2026-11-29 00:00:00+00:00", "Cy"),
            ],
            id="first-to",
        ),
        pytest.param(
            ReportType.LAST_TRANSITION_FROM_STATUS_DATE,
            [
                *("2026-11-28 12:00:00+00:00", "Bob"),
                *("2026-11-29 00:00:00+00:00", "Cy"),
                *(None, None),
            ],
            id="last-from",
        ),
    ],
)
def test_date_reports_with_transitioned_by(report_type: ReportType, cells: list[Cell]) -> None:
    result = report([NEWEST_FIRST], params(report_type, include_transitioned_by=True))
    titles, rows = listing(result)
    assert titles == [*HEAD] + [
        title
        for name in ("Open", "In Progress", "Done")
        for title in (name, f"{name} Transitioned By")
    ]
    assert [[None if c is None else str(c) for c in row] for row in rows] == [[*P5, *cells]]
    assert result.aggregates == {}


def test_changes_dated_before_creation_keep_their_order() -> None:
    # created Sunday 00:00. History 9 is dated 1 ms before creation (clock skew) and moves
    # Open → In Progress; history 5, at creation, moves In Progress → Done. Ordered by
    # (created, id) the issue goes Open → In Progress → Done, both changes counting at
    # 00:00: Open 0, In Progress 0, Done 24 h. Sorting after clamping would put 5 first,
    # starting the issue in In Progress and ending it in In Progress.
    created = at("2026-11-29 00:00")
    skewed = issue(
        "P-14",
        created,
        DONE,
        [
            history(5, created, status_item(IN_PROGRESS, DONE)),
            history(9, created - 1, status_item(OPEN, IN_PROGRESS)),
        ],
    )
    result = report([skewed], params(ReportType.STATUS_DURATION, view_format=ViewFormat.HOURS))
    assert listing(result) == (
        [*HEAD, "Open", "In Progress", "Done"],
        [["P-14", "Summary of P-14", 0.0, 0.0, 24.0]],
    )


def test_creation_start_needs_a_non_empty_window() -> None:
    # trimmed from now on: the window [now, now) holds nothing, so no metric ever starts
    created_before = issue("P-15", at("2026-11-29 00:00"), OPEN)
    lead = DbsMetric("Lead Time", DbsPoint("creation"), DbsPoint("status", ("10001",)))
    result = report(
        [created_before],
        params(ReportType.DURATION_BETWEEN_STATUSES, dbs_metrics=(lead,), trim_start_ms=NOW),
    )
    assert listing(result) == ([*HEAD, "Lead Time"], [["P-15", "Summary of P-15", None]])


def test_instant_in_the_repeated_hour_keeps_its_offset() -> None:
    # Berlin falls back at 2026-10-25 01:00 UTC (03:00 CEST → 02:00 CET): an issue created
    # at 01:00 UTC was entered at 02:00 CET (+01:00), not at the first 02:00 (+02:00), which
    # is an hour earlier.
    created = at("2026-10-25 01:00")
    repeated = issue("P-16", created, OPEN)
    result = report(
        [repeated],
        params(ReportType.FIRST_TRANSITION_TO_STATUS_DATE),
        office_calendar("Europe/Berlin"),
        now_ms=at("2026-10-26 00:00"),
    )
    titles, rows = listing(result)
    entered = rows[0][2]
    assert titles == [*HEAD, "Open"]
    assert isinstance(entered, datetime)
    assert entered.isoformat() == "2026-10-25T02:00:00+01:00"
