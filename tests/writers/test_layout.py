"""Workbook presentation: frozen header, autofilter, number formats per viewFormat, widths."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlrd

from dwelltime.params.model import OutputType
from dwelltime.writers import SheetLimits, write_report
from tests.writers.factories import D, T, columns, generated_sheet, report_table, sheet

FORMATS_BY_VIEW = [
    pytest.param("minutes", "0.00", id="minutes"),
    pytest.param("hours", "0.00", id="hours"),
    pytest.param("days", "0.00", id="days"),
    pytest.param("seconds", "0.000", id="seconds"),
]
#: List columns of the standard table: Key, Summary, Issue Type, 进行中, Done, Entries, Resolved
OTHER_FORMATS = ["0", "yyyy-mm-dd hh:mm:ss"]


def xlsx_bytes(view_format: str = "minutes") -> bytes:
    buffer = io.BytesIO()
    write_report(report_table(view_format=view_format), OutputType.XLSX, buffer)
    return buffer.getvalue()


def xls_book(view_format: str = "minutes") -> xlrd.book.Book:
    buffer = io.BytesIO()
    write_report(report_table(view_format=view_format), OutputType.XLS, buffer)
    return xlrd.open_workbook(file_contents=buffer.getvalue(), formatting_info=True)


def test_xlsx_header_is_frozen_bold_and_filtered() -> None:
    sheet_ = openpyxl.load_workbook(io.BytesIO(xlsx_bytes()))["List"]
    assert sheet_.freeze_panes == "A2"
    assert sheet_.auto_filter.ref == "A1:G7"
    assert all(cell.font.bold for cell in sheet_[1])
    assert not any(cell.font.bold for cell in sheet_[2])


@pytest.mark.parametrize(("view_format", "duration_format"), FORMATS_BY_VIEW)
def test_xlsx_number_formats_follow_the_view_format(view_format: str, duration_format: str) -> None:
    sheet_ = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(view_format)))["List"]
    row = sheet_[2]
    assert [cell.number_format for cell in row[3:]] == [duration_format] * 2 + OTHER_FORMATS
    assert row[0].number_format == "General"


def test_xlsx_column_widths_fit_header_and_content_within_bounds() -> None:
    long_text = "word " * 100
    listing = sheet(
        "List", columns(("Key", T), ("Summary", T), ("A", D)), [["K-1", long_text, 1.0]]
    )
    buffer = io.BytesIO()
    write_report(report_table(listing=listing), OutputType.XLSX, buffer)
    dims = openpyxl.load_workbook(buffer)["List"].column_dimensions
    widths = [dims[letter].width for letter in "ABC"]
    assert 8 <= widths[0] < 12
    assert 55 <= widths[1] <= 61
    assert 8 <= widths[2] < 12


def test_xlsx_spilled_pages_are_each_frozen_and_filtered() -> None:
    listing = generated_sheet("List", columns(("Key", T)), 5, lambda i: [f"K-{i}"])
    buffer = io.BytesIO()
    write_report(report_table(listing=listing), OutputType.XLSX, buffer, limits=SheetLimits(4, 10))
    book = openpyxl.load_workbook(buffer)
    assert [book[name].auto_filter.ref for name in ("List", "List (2)")] == ["A1:A4", "A1:A3"]
    assert {book[name].freeze_panes for name in ("List", "List (2)")} == {"A2"}


def test_xls_header_is_frozen_and_bold() -> None:
    book = xls_book()
    sheet_ = book.sheet_by_name("List")
    assert sheet_.panes_are_frozen
    assert sheet_.horz_split_pos == 1
    header_font = book.font_list[book.xf_list[sheet_.cell_xf_index(0, 0)].font_index]
    body_font = book.font_list[book.xf_list[sheet_.cell_xf_index(1, 0)].font_index]
    assert header_font.bold
    assert not body_font.bold


@pytest.mark.parametrize(("view_format", "duration_format"), FORMATS_BY_VIEW)
def test_xls_number_formats_follow_the_view_format(view_format: str, duration_format: str) -> None:
    book = xls_book(view_format)
    sheet_ = book.sheet_by_name("List")
    formats = [
        book.format_map[book.xf_list[sheet_.cell_xf_index(1, col)].format_key].format_str
        for col in range(3, 7)
    ]
    assert formats == [duration_format] * 2 + OTHER_FORMATS
