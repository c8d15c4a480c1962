"""An XLSX workbook as openpyxl reads it back, in one canonical, comparable form.

Two writers produce equal dumps when a user opening the files sees the same workbook:
sheet names in order, freeze pane, autofilter range, column widths and formats, and every
written cell's type, value, number format and header style. Numbers are compared at the
15 significant digits Excel keeps (XlsxWriter wrote 16, a native writer writes all 17).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell as OpenpyxlCell

#: Excel's precision: it shows and computes with 15 significant digits.
EXCEL_DIGITS = 15


def dump_xlsx(data: bytes) -> list[dict[str, Any]]:
    """Every sheet of the workbook as plain data (see the module docstring)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        return [
            {
                "name": sheet.title,
                "freeze": sheet.freeze_panes,
                "filter": sheet.auto_filter.ref,
                "columns": {
                    letter: [dimension.width, dimension.number_format]
                    for letter, dimension in sorted(sheet.column_dimensions.items())
                },
                "cells": [
                    _cell(cell)
                    for row in sheet.iter_rows()
                    for cell in row
                    if cell.value is not None
                ],
            }
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _cell(cell: OpenpyxlCell) -> list[Any]:
    fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
    style = [cell.font.b, fill, cell.border.bottom.style, cell.alignment.vertical]
    return [cell.coordinate, *_typed(cell.value), cell.number_format, *style]


def _typed(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return "text", value
    if isinstance(value, datetime):
        return "date", value.isoformat()
    if isinstance(value, int | float):
        return "number", f"{float(value):.{EXCEL_DIGITS}g}"
    raise AssertionError(f"unexpected XLSX cell {value!r}")


def dump_digest(data: bytes) -> str:
    """A short fingerprint of the dump, for golden files."""
    text = json.dumps(dump_xlsx(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
