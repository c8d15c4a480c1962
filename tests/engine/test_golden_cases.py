"""Hand-computed reports: every expected cell below was worked out by hand (see comments),
and both the reference model and the engine must produce exactly it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest

from dwelltime.domain import CalendarSpec, Issue, Status
from dwelltime.engine.table import AggregateKind, Cell
from dwelltime.params import (
    AverageDenominator,
    DayLength,
    DbsMetric,
    DbsPoint,
    ReportParams,
    ReportType,
    StatusGroup,
    ViewFormat,
)
from tests.engine.reference import ExpectedReport
from tests.engine.reference_compare import assert_engine_agrees
from tests.engine.reference_issues import (
    at,
    history,
    issue,
    office_calendar,
    params,
    status_item,
)

OPEN = Status("1", "Open")
IN_PROGRESS = Status("3", "In Progress")
REVIEW = Status("10002", "Review")
DONE = Status("10001", "Done")
TODO = Status("10033", "To Do")
CATALOG = [OPEN, TODO, IN_PROGRESS, REVIEW, DONE]
#: statuses that histories mention but the catalog no longer has
OLD_TODO = Status("10000", "To Do")
RESOLVED = Status("5", "Resolved")
CLOSED = Status("5", "Closed")  # the same deleted status, renamed later
IN_DEVELOPMENT = Status("3", "In Development")  # catalog status 3 under its old name

NOW = at("2026-11-30 00:00")  # a Monday


def report(
    issues: Sequence[Issue],
    report_params: ReportParams,
    calendar: CalendarSpec | None = None,
    now_ms: int = NOW,
) -> ExpectedReport:
    """The reference's report, after checking that the engine gives the same one."""
    return assert_engine_agrees(issues, report_params, CATALOG, calendar, now_ms)


def listing(result: ExpectedReport) -> tuple[list[str], list[list[Cell]]]:
    return [column.title for column in result.listing.columns], result.listing.rows


def aggregate_row(result: ExpectedReport, kind: AggregateKind) -> list[Cell]:
    (row,) = result.aggregates[kind].rows
    return row


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
HEAD = ["Key", "Summary"]


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


# created Friday 2026-11-27 00:00 in Open; 12:00 → deleted status 5 (then called Resolved);
# Saturday 00:00 5 (by then called Closed) → 3 (In Development, the catalog's In Progress);
# Sunday 00:00 → Done.
RENAMED = issue(
    "P-6",
    at("2026-11-27 00:00"),
    DONE,
    [
        history(1, at("2026-11-27 12:00"), status_item(OPEN, RESOLVED)),
        history(2, at("2026-11-28 00:00"), status_item(CLOSED, IN_DEVELOPMENT)),
        history(3, at("2026-11-29 00:00"), status_item(IN_DEVELOPMENT, DONE)),
    ],
)


@pytest.mark.parametrize(
    ("include_deleted", "titles", "cells"),
    [
        # the deleted status takes its latest history name; 3 keeps its catalog name
        pytest.param(True, ["Open", "In Progress", "Done", "Closed"], [12.0, 24.0, 24.0, 12.0]),
        pytest.param(False, ["Open", "In Progress", "Done"], [12.0, 24.0, 24.0]),
    ],
)
def test_deleted_and_renamed_status_titles(
    include_deleted: bool, titles: list[str], cells: list[Cell]
) -> None:
    result = report(
        [RENAMED],
        params(
            ReportType.STATUS_DURATION,
            view_format=ViewFormat.HOURS,
            include_deleted_statuses=include_deleted,
        ),
    )
    assert listing(result) == ([*HEAD, *titles], [["P-6", "Summary of P-6", *cells]])


# created Sunday 00:00 in the deleted To Do (10000); 06:00 → the catalog's To Do (10033);
# 12:00 → In Progress.
TWO_TODOS = issue(
    "P-7",
    at("2026-11-29 00:00"),
    IN_PROGRESS,
    [
        history(1, at("2026-11-29 06:00"), status_item(OLD_TODO, TODO)),
        history(2, at("2026-11-29 12:00"), status_item(TODO, IN_PROGRESS)),
    ],
)
P7 = ["P-7", "Summary of P-7"]


def test_two_statuses_with_one_name_get_their_ids_in_the_title() -> None:
    hours = {"view_format": ViewFormat.HOURS}
    both = report(
        [TWO_TODOS], params(ReportType.STATUS_DURATION, include_deleted_statuses=True, **hours)
    )
    assert listing(both) == (
        [*HEAD, "To Do (10033)", "In Progress", "To Do (10000)"],
        [[*P7, 6.0, 12.0, 6.0]],
    )
    catalog_only = report([TWO_TODOS], params(ReportType.STATUS_DURATION, **hours))
    assert listing(catalog_only) == ([*HEAD, "To Do", "In Progress"], [[*P7, 6.0, 12.0]])
    # pairs by from, then to, in status column order: 10033 (0), 3 (1), 10000 (2)
    transitions = report(
        [TWO_TODOS], params(ReportType.TRANSITION_COUNT, include_deleted_statuses=True)
    )
    assert listing(transitions) == (
        [*HEAD, "To Do (10033) → In Progress", "To Do (10000) → To Do (10033)"],
        [[*P7, 1, 1]],
    )


def test_issue_created_after_the_trim_end_has_only_empty_cells() -> None:
    window = {"trim_start_ms": at("2026-11-01 00:00"), "trim_end_ms": at("2026-11-10 00:00")}
    selected = {"statuses": ("1", "3", "10001"), **window}
    late = issue("P-8", at("2026-11-15 00:00"), OPEN)
    # Open 11-05 → 11-06 (24 h), In Progress 11-06 → trim end 11-10 (96 h); the move to Done on
    # 11-12 is after the window.
    early = issue(
        "P-9",
        at("2026-11-05 00:00"),
        DONE,
        [
            history(1, at("2026-11-06 00:00"), status_item(OPEN, IN_PROGRESS)),
            history(2, at("2026-11-12 00:00"), status_item(IN_PROGRESS, DONE)),
        ],
    )
    duration = report(
        [late, early],
        params(ReportType.STATUS_DURATION, view_format=ViewFormat.HOURS, **selected),
    )
    assert listing(duration) == (
        [*HEAD, "Open", "In Progress", "Done"],
        [["P-8", "Summary of P-8", None, None, None], ["P-9", "Summary of P-9", 24.0, 96.0, None]],
    )
    # two issues, averages over the one that has values
    assert aggregate_row(duration, AggregateKind.AVERAGE) == [2, 24.0, 96.0, None]
    counts = report([late, early], params(ReportType.STATUS_COUNT, **selected))
    assert listing(counts)[1] == [
        ["P-8", "Summary of P-8", None, None, None],
        ["P-9", "Summary of P-9", 1, 1, None],
    ]


def test_trim_start_counts_the_state_then_as_one_entry() -> None:
    # Open from 10-01, In Progress from 10-20, Review from 11-05; window 11-01 → 11-10:
    # In Progress 11-01 → 11-05 (96 h) entered once at the trim start, Review 11-05 → 11-10
    # (120 h); only In Progress → Review happens inside the window.
    window = {"trim_start_ms": at("2026-11-01 00:00"), "trim_end_ms": at("2026-11-10 00:00")}
    long_lived = issue(
        "P-10",
        at("2026-10-01 00:00"),
        REVIEW,
        [
            history(1, at("2026-10-20 00:00"), status_item(OPEN, IN_PROGRESS)),
            history(2, at("2026-11-05 00:00"), status_item(IN_PROGRESS, REVIEW)),
        ],
    )
    p10 = ["P-10", "Summary of P-10"]
    duration = report(
        [long_lived], params(ReportType.STATUS_DURATION, view_format=ViewFormat.HOURS, **window)
    )
    assert listing(duration) == ([*HEAD, "In Progress", "Review"], [[*p10, 96.0, 120.0]])
    counts = report([long_lived], params(ReportType.STATUS_COUNT, **window))
    assert listing(counts)[1] == [[*p10, 1, 1]]
    transitions = report([long_lived], params(ReportType.TRANSITION_COUNT, **window))
    assert listing(transitions) == ([*HEAD, "In Progress → Review"], [[*p10, 1]])


# Sunday from 00:00: P-11 In Progress 2 h then Done; P-12 In Progress 4 h, Review 6 h, Done.
SHORT = issue(
    "P-11",
    at("2026-11-29 00:00"),
    DONE,
    [history(1, at("2026-11-29 02:00"), status_item(IN_PROGRESS, DONE))],
    issue_type="Bug",
)
LONGER = issue(
    "P-12",
    at("2026-11-29 00:00"),
    DONE,
    [
        history(2, at("2026-11-29 04:00"), status_item(IN_PROGRESS, REVIEW)),
        history(3, at("2026-11-29 10:00"), status_item(REVIEW, DONE)),
    ],
    issue_type="Story",
)


def test_consolidated_column_aggregates_its_own_values() -> None:
    # Dev = In Progress + Review: P-11 2 h, P-12 4 + 6 = 10 h. Average 6 h, while the
    # members' averages add up to 3 + 6 = 9 h. Sum 12, median 6, population std 4.
    dev = StatusGroup("Dev", ("3", "10002"))
    result = report(
        [SHORT, LONGER],
        params(ReportType.GROUP_DURATION, view_format=ViewFormat.HOURS, groups=(dev,)),
    )
    assert listing(result) == (
        [*HEAD, "Dev"],
        [["P-11", "Summary of P-11", 2.0], ["P-12", "Summary of P-12", 10.0]],
    )
    assert [aggregate_row(result, kind) for kind in AggregateKind] == [
        [2, 6.0],
        [2, 12.0],
        [2, 6.0],
        [2, 4.0],
    ]


@pytest.mark.parametrize(
    ("denominator", "rows"),
    [
        # In Progress [2, 4] h; Review [empty, 6] h
        pytest.param(
            AverageDenominator.NON_NULL,
            # average, sum, median, std over the visited issues only: Review is [6]
            [[2, 3.0, 6.0], [2, 6.0, 6.0], [2, 3.0, 6.0], [2, 1.0, 0.0]],
            id="nonNull",
        ),
        pytest.param(
            AverageDenominator.ALL,
            # Review counted as [0, 6]: average 3, median 3, std 3; sum unchanged
            [[2, 3.0, 3.0], [2, 6.0, 6.0], [2, 3.0, 3.0], [2, 1.0, 3.0]],
            id="all",
        ),
    ],
)
def test_average_denominator(denominator: AverageDenominator, rows: list[list[Cell]]) -> None:
    result = report(
        [SHORT, LONGER],
        params(
            ReportType.STATUS_DURATION,
            view_format=ViewFormat.HOURS,
            statuses=("3", "10002"),
            average_denominator=denominator,
        ),
    )
    assert listing(result)[1] == [
        ["P-11", "Summary of P-11", 2.0, None],
        ["P-12", "Summary of P-12", 4.0, 6.0],
    ]
    assert [aggregate_row(result, kind) for kind in AggregateKind] == rows


def test_count_aggregates_grouped_by_field() -> None:
    # one row per issue type, empty type last; Sum is a count, the others numbers
    untyped = issue("P-13", at("2026-11-29 00:00"), IN_PROGRESS)
    result = report(
        [LONGER, untyped, SHORT],
        params(ReportType.STATUS_COUNT, fields=("issuetype",), group_by_fields=("issuetype",)),
    )
    assert listing(result) == (
        [*HEAD, "Issue Type", "In Progress", "Review", "Done"],
        [
            ["P-12", "Summary of P-12", "Story", 1, 1, 1],
            ["P-13", "Summary of P-13", None, 1, None, None],
            ["P-11", "Summary of P-11", "Bug", 1, None, 1],
        ],
    )
    assert result.aggregates[AggregateKind.SUM].rows == [
        ["Bug", 1, 1, None, 1],
        ["Story", 1, 1, 1, 1],
        [None, 1, 1, None, None],
    ]
    assert result.aggregates[AggregateKind.AVERAGE].rows == [
        ["Bug", 1, 1.0, None, 1.0],
        ["Story", 1, 1.0, 1.0, 1.0],
        [None, 1, 1.0, None, None],
    ]


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


def test_deleted_status_title_follows_the_histories_own_timestamps() -> None:
    # Two issues created at one instant. P-17's history (id 1), dated at creation, calls the
    # deleted status 5 "Resolved"; P-18's history (id 2) is dated 1 ms before P-18's creation
    # and calls it "Closed". By (created, history id) P-17's history is the latest, so the
    # title is "Resolved" (clamping P-18's change to its creation only moves its time).
    created = at("2026-11-29 00:00")
    newer = issue("P-17", created, OPEN, [history(1, created, status_item(RESOLVED, OPEN))])
    older = issue("P-18", created, OPEN, [history(2, created - 1, status_item(CLOSED, OPEN))])
    result = report([newer, older], params(ReportType.STATUS_COUNT, include_deleted_statuses=True))
    assert listing(result)[0] == [*HEAD, "Open", "Resolved"]
