"""An XLSX workbook as openpyxl reads it back, in one canonical, comparable form.

Two writers produce equal dumps when a user opening the files sees the same workbook:
sheet names in order, freeze pane, autofilter range, column widths and formats, and every
written cell's type, value, number format and header style (an empty text cell and a blank
one look the same, so both read as empty). Numbers are compared at the
16 significant digits XlsxWriter wrote (a native writer writes all 17; Excel keeps 15).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.utils import get_column_letter

#: XlsxWriter's precision (`%.16G`), finer than the 15 digits Excel computes with.
NUMBER_DIGITS = 16


def dump_xlsx(data: bytes) -> list[dict[str, Any]]:
    """Every sheet of the workbook as plain data (see the module docstring)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        return [
            {
                "name": sheet.title,
                "freeze": sheet.freeze_panes,
                "filter": sheet.auto_filter.ref,
                "columns": _columns(sheet),
                "cells": [
                    _cell(cell)
                    for row in sheet.iter_rows()
                    for cell in row
                    if cell.value not in (None, "") or cell.has_style
                ],
            }
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _columns(sheet: Any) -> dict[str, list[Any]]:
    """Width and format per column; a `<col>` spanning equal columns counts for each."""
    return {
        get_column_letter(index): [dimension.width, dimension.number_format]
        for dimension in sheet.column_dimensions.values()
        for index in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1)
    }


def _cell(cell: OpenpyxlCell) -> list[Any]:
    fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
    style = [cell.font.b, fill, cell.border.bottom.style, cell.alignment.vertical]
    return [cell.coordinate, *_typed(cell.value), cell.number_format, *style]


def _typed(value: Any) -> tuple[str, str | None]:
    if value in (None, ""):
        return "empty", None
    if isinstance(value, str):
        return "text", value
    if isinstance(value, datetime):
        return "date", value.isoformat()
    if isinstance(value, int | float):
        return "number", f"{float(value) + 0.0:.{NUMBER_DIGITS}g}"  # + 0.0: Excel has no -0
    raise AssertionError(f"unexpected XLSX cell {value!r}")


def dump_digest(data: bytes) -> str:
    """A short fingerprint of the dump, for golden files."""
    text = json.dumps(dump_xlsx(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
