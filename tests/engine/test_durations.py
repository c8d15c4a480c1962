"""The engine's duration reports on small hand-built histories (minutes, normalHours)."""

from __future__ import annotations

from typing import Any

import pytest

from dwelltime.domain.issues import Issue
from dwelltime.engine.table import Cell
from dwelltime.params.model import MultiVisitBehavior, ReportType, StatusGroup
from tests.engine.engine_run import ANN, BOB, DONE, OPEN, WORK, listing, revisits, run, worked
from tests.engine.reference.issues import assignee_item, at, history, issue, status_item


@pytest.mark.parametrize(
    ("issues", "options", "titles", "rows"),
    [
        pytest.param(
            [worked()], {}, ["Open", "In Progress", "Done"], [[120.0, 180.0, 60.0]], id="worked"
        ),
        pytest.param(
            [issue("P-3", at("2026-11-02 13:30"), WORK)],
            {},
            ["In Progress"],
            [[150.0]],
            id="no-status-change",
        ),
        pytest.param(
            [worked(), issue("P-3", at("2026-11-02 13:30"), WORK)],
            {"statuses": ("10001", "1")},
            ["Done", "Open"],
            [[60.0, 120.0], [None, None]],
            id="statuses-given-order-and-empty",
        ),
        pytest.param(
            [revisits()],
            {"multi_visit": MultiVisitBehavior.FIRST},
            ["Open", "In Progress"],
            [[60.0, 60.0]],
            id="first-visit",
        ),
        pytest.param(
            [revisits()],
            {"multi_visit": MultiVisitBehavior.LAST},
            ["Open", "In Progress"],
            [[120.0, 120.0]],
            id="last-visit",
        ),
        pytest.param(
            [revisits()],
            {"multi_visit": MultiVisitBehavior.AVERAGE},
            ["Open", "In Progress"],
            [[90.0, 90.0]],
            id="average-visit",
        ),
        pytest.param(
            [
                issue(
                    "P-4",
                    at("2026-11-02 10:00"),
                    DONE,
                    [
                        history(7, at("2026-11-02 12:00"), status_item(WORK, DONE)),
                        history(6, at("2026-11-02 12:00"), status_item(OPEN, WORK)),
                    ],
                )
            ],
            {},
            ["Open", "In Progress", "Done"],
            [[120.0, 0.0, 240.0]],
            id="zero-ms-visit-shared-timestamp",
        ),
        pytest.param(
            [worked()],
            {"trim_start_ms": at("2026-11-02 11:00"), "trim_end_ms": at("2026-11-02 13:00")},
            ["Open", "In Progress"],
            [[60.0, 60.0]],
            id="trimmed",
        ),
        pytest.param(
            [issue("P-5", at("2026-11-02 14:00"), OPEN)],
            {"trim_end_ms": at("2026-11-02 13:00"), "statuses": ("1",)},
            ["Open"],
            [[None]],
            id="created-after-trim-end",
        ),
        pytest.param(
            [worked()],
            {"groups": (StatusGroup("Active", ("1", "3")), StatusGroup("Gone", ("99",)))},
            ["Active", "Gone"],
            [[300.0, None]],
            id="groups",
        ),
    ],
)
def test_status_durations(
    issues: list[Issue], options: dict[str, Any], titles: list[str], rows: list[list[Cell]]
) -> None:
    report = ReportType.GROUP_DURATION if "groups" in options else ReportType.STATUS_DURATION
    assert listing(run(report, issues, **options)) == (titles, rows)


def assigned() -> Issue:
    """Open with Ann 10–12, In Progress with Ann 12–13, with Bob 13–14 and unassigned 14–16."""
    return issue(
        "P-6",
        at("2026-11-02 10:00"),
        WORK,
        [
            history(1, at("2026-11-02 12:00"), status_item(OPEN, WORK)),
            history(2, at("2026-11-02 13:00"), assignee_item(ANN, BOB)),
            history(3, at("2026-11-02 14:00"), assignee_item(BOB, None)),
        ],
    )


@pytest.mark.parametrize(
    ("report", "titles", "rows"),
    [
        pytest.param(
            ReportType.ASSIGNEE_DURATION,
            ["Ann", "Bob", "Unassigned"],
            [[180.0, 60.0, 120.0]],
            id="assignee",
        ),
        pytest.param(
            ReportType.STATUS_DURATION_BY_ASSIGNEE,
            ["Ann / Open", "Ann / In Progress", "Bob / In Progress", "Unassigned / In Progress"],
            [[120.0, 60.0, 60.0, 120.0]],
            id="status-by-assignee",
        ),
        pytest.param(
            ReportType.ASSIGNEE_DURATION_BY_STATUS,
            ["Open / Ann", "In Progress / Ann", "In Progress / Bob", "In Progress / Unassigned"],
            [[120.0, 60.0, 60.0, 120.0]],
            id="assignee-by-status",
        ),
    ],
)
def test_assignee_durations(report: ReportType, titles: list[str], rows: list[list[Cell]]) -> None:
    assert listing(run(report, [assigned()])) == (titles, rows)
