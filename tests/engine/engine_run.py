"""Shared inputs of the engine's own tests: a small catalog, a fixed now, hand-built issues,
and a runner that feeds them to `compute_report` in small batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from dwelltime.engine.context import ReportContext
from dwelltime.engine.report import compute_report
from dwelltime.engine.table import Cell, ReportTable
from dwelltime.params.model import ReportType
from dwelltime.sources.batches import batch_from_issues
from tests.engine.reference.issues import at, history, issue, params, status_item

OPEN = Status("1", "Open")
WORK = Status("3", "In Progress")
DONE = Status("10001", "Done")
CATALOG = (OPEN, WORK, DONE)
NOW = at("2026-11-02 16:00")
ANN = ("acc-1", "Ann")
BOB = ("acc-2", "Bob")


def run(
    report: ReportType,
    issues: Sequence[Issue],
    *,
    catalog: Sequence[Status] = CATALOG,
    calendar: CalendarSpec | None = None,
    batch_size: int = 2,
    **options: Any,
) -> ReportTable:
    report_params = params(report, **options)
    selection = report_params.selection(NOW)
    batches = [
        batch_from_issues(
            issues[i : i + batch_size],
            selection.fields,
            selection.change_fields,
            selection.value_fields,
            authors=selection.change_authors,
        )
        for i in range(0, len(issues), batch_size)
    ]
    context = ReportContext(statuses=catalog, calendar=calendar, now_ms=NOW)
    return compute_report(report_params, context, batches)


def listing(table: ReportTable) -> tuple[list[str], list[list[Cell]]]:
    """Value column titles and value cells (after Key and Summary) of every List row."""
    titles = [column.title for column in table.listing.columns][2:]
    return titles, [list(row)[2:] for row in table.listing.rows()]


def worked(key: str = "P-1") -> Issue:
    """Open 10:00–12:00, In Progress 12:00–15:00 (by Bob), Done 15:00–now (16:00)."""
    return issue(
        key,
        at("2026-11-02 10:00"),
        DONE,
        [
            history(2, at("2026-11-02 15:00"), status_item(WORK, DONE)),
            history(1, at("2026-11-02 12:00"), status_item(OPEN, WORK), author="Bob"),
        ],
    )


def revisits() -> Issue:
    """Open 10–11, In Progress 11–12, Open 12–14, In Progress 14–16 (now)."""
    return issue(
        "P-2",
        at("2026-11-02 10:00"),
        WORK,
        [
            history(1, at("2026-11-02 11:00"), status_item(OPEN, WORK)),
            history(2, at("2026-11-02 12:00"), status_item(WORK, OPEN)),
            history(3, at("2026-11-02 14:00"), status_item(OPEN, WORK)),
        ],
    )
