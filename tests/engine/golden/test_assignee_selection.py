"""Hand-computed `assignees=` selections (SPEC §8.4): only the selected people get columns, in
the selection's order; everyone else is summed into Other Users; Other Users and Unassigned
come last. Every case is also checked against the reference."""

from __future__ import annotations

import pytest

from dwelltime.engine.table import AggregateKind, Cell
from dwelltime.params.model import MultiVisitBehavior, ReportType, ViewFormat
from tests.engine.golden.cases import HEAD, IN_PROGRESS, OPEN, aggregate_row, listing, report
from tests.engine.reference.issues import assignee_item, at, history, issue, params, status_item

ANN, BOB, CY, DEE = ("acc-1", "Ann"), ("acc-2", "bob"), ("acc-3", "Cy"), ("acc-4", "Dee")
# unassigned on Nov 1, Ann Nov 2, bob Nov 4, Cy Nov 7, bob again Nov 10 (In Progress then)
PASSED_AROUND = issue(
    "P-1",
    at("2026-11-01 00:00"),
    IN_PROGRESS,
    [
        history(1, at("2026-11-02 00:00"), assignee_item(None, ANN)),
        history(2, at("2026-11-04 00:00"), assignee_item(ANN, BOB)),
        history(3, at("2026-11-07 00:00"), assignee_item(BOB, CY)),
        history(4, at("2026-11-10 00:00"), assignee_item(CY, BOB), status_item(OPEN, IN_PROGRESS)),
    ],
    assignee_id=BOB[0],
    assignee_name=BOB[1],
)
# Dee's all along
DEES = issue("P-2", at("2026-11-01 00:00"), OPEN, [], assignee_id=DEE[0], assignee_name=DEE[1])
# acc-9 is selected but never assigned anything: no column
SELECTED = ("acc-3", "acc-9", "acc-1")


def _run(
    report_type: ReportType, behavior: MultiVisitBehavior = MultiVisitBehavior.TOTAL
) -> tuple[list[str], list[list[Cell]]]:
    result = report(
        [PASSED_AROUND, DEES],
        params(report_type, assignees=SELECTED, view_format=ViewFormat.DAYS, multi_visit=behavior),
    )
    return listing(result)


def test_selection_order_then_other_users_then_unassigned() -> None:
    # bob 3 + 20 days and Dee 29 days are Other Users
    assert _run(ReportType.ASSIGNEE_DURATION) == (
        [*HEAD, "Cy", "Ann", "Other Users", "Unassigned"],
        [
            ["P-1", "Summary of P-1", 3.0, 2.0, 23.0, 1.0],
            ["P-2", "Summary of P-2", None, None, 29.0, None],
        ],
    )


def test_other_users_add_up_each_persons_value() -> None:
    # first visit of each person: bob's first is 3 days; Other Users is their sum
    _, rows = _run(ReportType.ASSIGNEE_DURATION, MultiVisitBehavior.FIRST)
    assert rows[0] == ["P-1", "Summary of P-1", 3.0, 2.0, 3.0, 1.0]


def test_other_users_aggregates_come_from_its_own_per_issue_values() -> None:
    result = report(
        [PASSED_AROUND, DEES],
        params(ReportType.ASSIGNEE_DURATION, assignees=SELECTED, view_format=ViewFormat.DAYS),
    )
    assert aggregate_row(result, AggregateKind.AVERAGE) == [2, 3.0, 2.0, 26.0, 1.0]
    assert aggregate_row(result, AggregateKind.MEDIAN) == [2, 3.0, 2.0, 26.0, 1.0]
    assert aggregate_row(result, AggregateKind.STANDARD_DEVIATION) == [2, 0.0, 0.0, 3.0, 0.0]


@pytest.mark.parametrize(
    ("report_type", "titles", "first_row"),
    [
        pytest.param(
            ReportType.STATUS_DURATION_BY_ASSIGNEE,
            [
                "Cy / Open",
                "Ann / Open",
                "Other Users / Open",
                "Other Users / In Progress",
                "Unassigned / Open",
            ],
            [3.0, 2.0, 3.0, 20.0, 1.0],
            id="assignee-major",
        ),
        pytest.param(
            ReportType.ASSIGNEE_DURATION_BY_STATUS,
            [
                "Open / Cy",
                "Open / Ann",
                "Open / Other Users",
                "Open / Unassigned",
                "In Progress / Other Users",
            ],
            [3.0, 2.0, 3.0, 1.0, 20.0],
            id="status-major",
        ),
    ],
)
def test_pair_reports_follow_the_selection(
    report_type: ReportType, titles: list[str], first_row: list[Cell]
) -> None:
    found_titles, rows = _run(report_type)
    assert found_titles == [*HEAD, *titles]
    assert rows[0] == ["P-1", "Summary of P-1", *first_row]
