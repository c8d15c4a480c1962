"""Hand-computed trimmed reports and aggregate sheets (consolidated columns, average
denominators, count aggregates by field); reference and engine must both match them."""

from __future__ import annotations

import pytest

from dwelltime.engine.table import AggregateKind, Cell
from dwelltime.params.model import AverageDenominator, ReportType, StatusGroup, ViewFormat
from tests.engine.golden.cases import (
    DONE,
    HEAD,
    IN_PROGRESS,
    OPEN,
    REVIEW,
    aggregate_row,
    listing,
    report,
)
from tests.engine.reference.issues import at, history, issue, params, status_item


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
