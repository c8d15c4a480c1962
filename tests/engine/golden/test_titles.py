"""Hand-computed column titles: deleted, renamed and same-named statuses; the reference
model and the engine must both produce exactly them."""

from __future__ import annotations

import pytest

from dwelltime.engine.table import Cell
from dwelltime.params.model import ReportType, ViewFormat
from tests.engine.golden.cases import (
    CLOSED,
    DONE,
    HEAD,
    IN_DEVELOPMENT,
    IN_PROGRESS,
    OLD_TODO,
    OPEN,
    RESOLVED,
    TODO,
    listing,
    report,
)
from tests.engine.reference.issues import at, history, issue, params, status_item

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
