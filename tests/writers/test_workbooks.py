"""XLSX and XLS files read back with openpyxl and xlrd and compared cell by cell with the table."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import xlrd

from dwelltime.engine.table import AggregateKind, Cell, ReportTable, Sheet
from dwelltime.params.model import OutputType
from dwelltime.writers import SheetLimits, write_report
from dwelltime.writers.text import TRUNCATION_MARKER
from tests.writers.factories import (
    FORMULA_TEXTS,
    LIST_COLUMNS,
    UNICODE_TEXTS,
    C,
    D,
    T,
    Unseekable,
    columns,
    generated_sheet,
    report_table,
    sheet,
)
from tests.writers.readers import ReadCell, Workbook, read_workbook

WORKBOOKS = [
    pytest.param(OutputType.XLSX, id="xlsx"),
    pytest.param(OutputType.XLS, id="xls"),
]
ALL_SHEETS = ["List", "Average", "Sum", "Median", "Standard Deviation", "Parameters"]


def written(
    table: ReportTable, output_type: OutputType, limits: SheetLimits | None = None
) -> Workbook:
    buffer = io.BytesIO()
    write_report(table, output_type, buffer, limits=limits)
    return read_workbook(buffer.getvalue(), output_type)


def expected(value: Cell) -> Cell:
    """What an Excel reader should find: control characters replaced, naive wall-clock dates,
    empty text as an empty cell."""
    if value == "":
        return None
    if isinstance(value, str):
        return "".join("\ufffd" if ord(ch) < 32 and ch not in "\t\n\r" else ch for ch in value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def assert_same_cell(got: ReadCell, want: Cell) -> None:
    want = expected(want)
    if isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want
    elif isinstance(want, int | float):
        assert isinstance(got, int | float), f"{got!r} is not numeric"
        assert got == want
    else:
        assert isinstance(got, datetime), f"{got!r} is not a date"
        assert abs((got - want).total_seconds()) < 0.001


def assert_sheet(rows: list[list[ReadCell]], table_sheet: Sheet) -> None:
    assert rows[0] == [column.title for column in table_sheet.columns]
    assert len(rows) == 1 + table_sheet.row_count
    for got_row, want_row in zip(rows[1:], table_sheet.rows(), strict=True):
        for got, want in zip(got_row, want_row, strict=True):
            assert_same_cell(got, want)


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_every_sheet_holds_the_tables_cells_in_order(output_type: OutputType) -> None:
    table = report_table()
    book = written(table, output_type)
    assert list(book) == ALL_SHEETS
    assert_sheet(book["List"], table.listing)
    for kind in AggregateKind:
        assert_sheet(book[kind.value], table.aggregates[kind])


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_parameters_sheet_lists_every_parameter_and_the_version(output_type: OutputType) -> None:
    table = report_table()
    rows = written(table, output_type)["Parameters"]
    assert rows[0] == ["Parameter", "Value"]
    assert [tuple(row) for row in rows[1:]] == [*table.parameters, ("dwelltime version", "0.1.0")]


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_human_readable_reports_say_durations_are_text(output_type: OutputType) -> None:
    rows = written(report_table(view_format="humanReadable"), output_type)["Parameters"]
    note = rows[-1]
    assert note[0] == "note"
    assert isinstance(note[1], str)
    assert "humanReadable" in note[1]
    assert "text" in note[1]


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_unaggregated_reports_have_list_and_parameters_only(output_type: OutputType) -> None:
    assert list(written(report_table(with_aggregates=False), output_type)) == [
        "List",
        "Parameters",
    ]


@pytest.mark.parametrize("output_type", WORKBOOKS)
@pytest.mark.parametrize(
    ("row_count", "expected_pages"),
    [
        pytest.param(0, [0], id="empty-keeps-a-header-sheet"),
        pytest.param(3, [3], id="exactly-full"),
        pytest.param(4, [3, 1], id="one-over"),
        pytest.param(10, [3, 3, 3, 1], id="several"),
    ],
)
def test_list_spills_over_onto_numbered_sheets(
    output_type: OutputType, row_count: int, expected_pages: list[int]
) -> None:
    cols = columns(("Key", T), ("Time", D))
    listing = generated_sheet("List", cols, row_count, lambda i: [f"ACME-{i}", i * 1.5])
    book = written(
        report_table(listing=listing), output_type, SheetLimits(max_rows=4, max_columns=10)
    )
    names = ["List", *(f"List ({n})" for n in range(2, len(expected_pages) + 1))]
    assert list(book)[: len(names)] == names
    assert list(book)[len(names)] == "Average"
    assert [len(book[name]) - 1 for name in names] == expected_pages
    keys = [row[0] for name in names for row in book[name][1:]]
    assert all(book[name][0] == ["Key", "Time"] for name in names)
    assert keys == [f"ACME-{i}" for i in range(row_count)]


def test_a_real_xls_list_spills_over_past_65536_rows() -> None:
    # One numeric column keeps this real-size run fast; xlrd is used directly for the same
    # reason (building 65,536 Python rows would double the time).
    row_count = 65_536  # header + 65,535 rows on List, the last row on List (2)
    listing = generated_sheet("List", columns(("N", C)), row_count, lambda i: [i])
    buffer = io.BytesIO()
    write_report(report_table(listing=listing, with_aggregates=False), OutputType.XLS, buffer)
    book = xlrd.open_workbook(file_contents=buffer.getvalue())
    assert book.sheet_names() == ["List", "List (2)", "Parameters"]
    first = book.sheet_by_name("List")
    assert first.nrows == 65_536
    assert first.col_values(0, 0, 3) == ["N", 0.0, 1.0]
    assert first.cell(65_535, 0).ctype == xlrd.XL_CELL_NUMBER
    assert first.cell_value(65_535, 0) == 65_534.0
    assert book.sheet_by_name("List (2)").col_values(0) == ["N", 65_535.0]


@pytest.mark.parametrize("output_type", WORKBOOKS)
@pytest.mark.parametrize("text", [*FORMULA_TEXTS, *UNICODE_TEXTS])
def test_formula_looking_and_non_ascii_text_stays_text(output_type: OutputType, text: str) -> None:
    listing = sheet("List", columns(("Key", T), (text, T)), [["ACME-1", text]])
    rows = written(report_table(listing=listing), output_type)["List"]
    assert rows == [["Key", text], ["ACME-1", text]]


@pytest.mark.parametrize(
    ("output_type", "text"),
    [
        pytest.param(OutputType.XLSX, "x" * 40_000, id="xlsx-ascii"),
        pytest.param(OutputType.XLS, "x" * 40_000, id="xls-ascii"),
        pytest.param(OutputType.XLSX, "😀" * 20_000, id="xlsx-astral-counts-two-units"),
    ],
)
def test_overlong_text_is_truncated_with_a_marker(output_type: OutputType, text: str) -> None:
    listing = sheet("List", columns(("Key", T), ("Summary", T)), [["ACME-1", text]])
    cell = written(report_table(listing=listing), output_type)["List"][1][1]
    assert isinstance(cell, str)
    assert cell.endswith(TRUNCATION_MARKER)
    assert text.startswith(cell.removesuffix(TRUNCATION_MARKER))
    assert len(cell.encode("utf-16-le")) // 2 <= 32_767


def test_xls_replaces_characters_outside_the_bmp() -> None:
    text = "ok 😀 进行中 " * 2_000
    listing = sheet("List", columns(("Key", T), ("Summary 😀", T)), [["ACME-1", text]])
    rows = written(report_table(listing=listing), OutputType.XLS)["List"]
    assert rows == [["Key", "Summary \ufffd"], ["ACME-1", text.replace("😀", "\ufffd")]]


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_workbooks_stream_into_an_unseekable_destination(output_type: OutputType) -> None:
    destination = Unseekable()
    table = report_table()
    write_report(table, output_type, destination)  # type: ignore[arg-type]
    assert not destination.closed
    book = read_workbook(b"".join(destination.chunks), output_type)
    assert_sheet(book["List"], table.listing)


@pytest.mark.parametrize("output_type", WORKBOOKS)
def test_list_columns_are_typed_as_the_table_says(output_type: OutputType) -> None:
    rows = written(report_table(), output_type)["List"]
    kinds = [column.kind for column in LIST_COLUMNS]
    assert kinds == [T, T, T, D, D, C, LIST_COLUMNS[-1].kind]
    first = rows[1]
    assert isinstance(first[3], float)
    assert isinstance(first[5], int | float)
    assert isinstance(first[6], datetime)
