"""Independent readers (openpyxl, xlrd) turning a written workbook back into plain values."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import xlrd

from dwelltime.params.model import OutputType

#: What a reader gives back per cell: text, a number, a date, or None for an empty cell.
ReadCell = str | int | float | datetime | None
Workbook = dict[str, list[list[ReadCell]]]

_OOXML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def read_workbook(data: bytes, output_type: OutputType) -> Workbook:
    """Sheets in file order, each as rows of typed cells (header row included)."""
    if output_type is OutputType.XLSX:
        return read_xlsx(data)
    if output_type is OutputType.XLS:
        return read_xls(data)
    raise ValueError(f"not a workbook format: {output_type}")


def read_xlsx(data: bytes) -> Workbook:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {
            sheet.title: [
                [_ooxml_unescape(value) for value in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def _ooxml_unescape(value: ReadCell) -> ReadCell:
    """Decode `_xHHHH_` as Excel does (openpyxl leaves it): XlsxWriter escapes CR that way,
    and a literal `_x0041_` as `_x005F_x0041_`."""
    if isinstance(value, str):
        return _OOXML_ESCAPE.sub(lambda match: chr(int(match[1], 16)), value)
    return value


def read_xls(data: bytes) -> Workbook:
    book = xlrd.open_workbook(file_contents=data)
    return {
        sheet.name: [
            [_xls_value(cell, book.datemode) for cell in sheet.row(index)]
            for index in range(sheet.nrows)
        ]
        for sheet in book.sheets()
    }


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> ReadCell:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        value: datetime = xlrd.xldate_as_datetime(cell.value, datemode)
        return value
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        number: float = cell.value
        return number
    if cell.ctype == xlrd.XL_CELL_TEXT:
        text: str = cell.value
        return text
    raise AssertionError(f"unexpected XLS cell type {cell.ctype}: {cell.value!r}")
