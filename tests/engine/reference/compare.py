"""Running the engine on domain issues and comparing its table with the reference model.

Cells are compared exactly, after a normalisation that only removes float noise below the
rendering precision (6 decimals; rendered values have at most 3), keeps int apart from float
and compares a date by its instant and its UTC offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import Issue, Status
from dwelltime.engine.context import ReportContext
from dwelltime.engine.report import compute_report
from dwelltime.engine.table import Cell, Column, ReportTable, Sheet
from dwelltime.params.model import ReportParams
from dwelltime.sources.batches import batch_from_issues
from tests.engine.reference.render import ExpectedSheet
from tests.engine.reference.report import ExpectedReport, expected_report

Token = tuple[str, object] | None


def engine_table(
    issues: Sequence[Issue],
    params: ReportParams,
    statuses: Sequence[Status],
    calendar: CalendarSpec | None,
    now_ms: int,
    batch_size: int = 3,
) -> ReportTable:
    """The engine's report over `issues`, fed in batches of `batch_size` issues."""
    selection = params.selection(now_ms)
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
    return compute_report(params, ReportContext(statuses, calendar, now_ms), iter(batches))


def token(cell: Cell) -> Token:
    """A cell in a form that compares exactly and prints readably."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return ("bool", cell)
    if isinstance(cell, int):
        return ("int", cell)
    if isinstance(cell, float):
        return ("float", round(cell, 6))
    if isinstance(cell, datetime):
        return ("date", cell.isoformat())
    return (type(cell).__name__, cell)


def tokens(rows: Sequence[Sequence[Cell]]) -> list[list[Token]]:
    return [[token(cell) for cell in row] for row in rows]


def sheet_of(sheet: Sheet) -> tuple[list[Column], list[list[Token]]]:
    rows = tokens(list(sheet.rows()))
    assert sheet.row_count == len(rows), f"{sheet.name}: row_count {sheet.row_count}"
    return list(sheet.columns), rows


def expected_of(sheet: ExpectedSheet) -> tuple[list[Column], list[list[Token]]]:
    return sheet.columns, tokens(sheet.rows)


def assert_same_sheet(
    name: str,
    actual: tuple[list[Column], list[list[Token]]],
    expected: tuple[list[Column], list[list[Token]]],
) -> None:
    """Equal sheets, or a message naming the first difference (helper modules get no
    pytest assertion rewriting)."""
    assert actual[0] == expected[0], (
        f"{name} columns:\n engine    {actual[0]}\n reference {expected[0]}"
    )
    for index, (mine, theirs) in enumerate(zip(actual[1], expected[1], strict=False)):
        assert mine == theirs, f"{name} row {index}:\n engine    {mine}\n reference {theirs}"
    assert len(actual[1]) == len(expected[1]), (
        f"{name}: engine {len(actual[1])} rows, reference {len(expected[1])}"
    )


def assert_matches(table: ReportTable, expected: ExpectedReport) -> None:
    """The engine's List and aggregate sheets equal the expected ones, cell for cell."""
    assert table.listing.name == "List"
    assert_same_sheet("List", sheet_of(table.listing), expected_of(expected.listing))
    assert set(table.aggregates) == set(expected.aggregates)
    for kind, sheet in expected.aggregates.items():
        assert table.aggregates[kind].name == kind.value
        assert_same_sheet(kind.value, sheet_of(table.aggregates[kind]), expected_of(sheet))


def assert_engine_agrees(
    issues: Sequence[Issue],
    params: ReportParams,
    statuses: Sequence[Status],
    calendar: CalendarSpec | None,
    now_ms: int,
    batch_size: int = 3,
) -> ExpectedReport:
    """Compare the engine with the reference on one input; returns the expectation."""
    expected = expected_report(issues, params, statuses, calendar, now_ms)
    table = engine_table(issues, params, statuses, calendar, now_ms, batch_size)
    assert_matches(table, expected)
    return expected
