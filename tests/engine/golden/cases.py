"""Statuses, `now` and helpers shared by the hand-computed golden tests."""

from __future__ import annotations

from collections.abc import Sequence

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from dwelltime.engine.table import AggregateKind, Cell
from dwelltime.params.model import ReportParams
from tests.engine.reference.compare import assert_engine_agrees
from tests.engine.reference.issues import at
from tests.engine.reference.report import ExpectedReport

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


HEAD = ["Key", "Summary"]
