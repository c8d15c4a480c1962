"""XLS (BIFF8) writer on xlwt: the same sheets and cell types as XLSX, within 65,536 x 256.

Rows are flushed to xlwt's temporary file as they are written; xlwt still assembles the
final workbook stream in memory at save (see docs/files.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

import xlwt

from dwelltime.engine.table import ColumnKind, ReportTable
from dwelltime.writers.limits import SheetLimits
from dwelltime.writers.text import bmp_only
from dwelltime.writers.workbook import SheetPlan, header_text, number_format, workbook_sheets

HEADER_STYLE = "font: bold on; pattern: pattern solid, fore_colour pale_blue; borders: bottom thin"

#: Rows kept as xlwt objects before they are serialised to its temporary file.
FLUSH_EVERY_ROWS = 1000

#: xlwt column widths are in 1/256 of a character, at most 65,535.
_WIDTH_UNIT = 256
_MAX_WIDTH_UNITS = 65_535


def write_xls(table: ReportTable, destination: BinaryIO, limits: SheetLimits) -> None:
    """Write the workbook into `destination` (any writable binary file; left open)."""
    workbook = xlwt.Workbook(encoding="utf-8")
    header = xlwt.easyxf(HEADER_STYLE)
    styles = {kind: _cell_style(number_format(kind, table.view_format)) for kind in ColumnKind}
    for plan in workbook_sheets(table, limits):
        _write_sheet(workbook, plan, header, [styles[column.kind] for column in plan.columns])
    workbook.save(destination)


def _cell_style(code: str | None) -> Any:
    return xlwt.easyxf(num_format_str=code) if code else xlwt.Style.default_style


def _write_sheet(workbook: Any, plan: SheetPlan, header: Any, styles: list[Any]) -> None:
    sheet = workbook.add_sheet(plan.name)
    for index, width in enumerate(plan.widths):
        sheet.col(index).width = min(int(width * _WIDTH_UNIT), _MAX_WIDTH_UNITS)
    header_row = sheet.row(0)
    for index, column in enumerate(plan.columns):
        header_row.set_cell_text(index, bmp_only(header_text(column.title)), header)
    sheet.panes_frozen = True
    sheet.horz_split_pos = 1
    sheet.horz_split_first_visible = 1
    for number, row in enumerate(plan.rows(), start=1):
        cells = sheet.row(number)
        for index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                # set_cell_text stores a string: never a formula, whatever it starts with.
                cells.set_cell_text(index, bmp_only(value), styles[index])
            elif isinstance(value, datetime):
                cells.set_cell_date(index, value, styles[index])
            else:
                cells.set_cell_number(index, value, styles[index])
        if number % FLUSH_EVERY_ROWS == 0:
            sheet.flush_row_data()
