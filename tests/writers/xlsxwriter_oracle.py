"""The XLSX writer before the native one (XlsxWriter, constant memory, a cell at a time),
kept as the reference the native writer's workbooks are compared with (test_xlsx_oracle).

Text goes through write_string only, so nothing a user typed ever becomes a formula.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

import xlsxwriter  # type: ignore[import-untyped]

from dwelltime.engine.table import ColumnKind, ReportTable
from dwelltime.writers.limits import SheetLimits
from dwelltime.writers.workbook import SheetPlan, header_text, number_format, workbook_sheets

HEADER_STYLE = {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"}


def write_xlsx(table: ReportTable, destination: BinaryIO, limits: SheetLimits) -> None:
    """Write the workbook into `destination` (any writable binary file; left open).

    constant_memory keeps only the current row in memory; each sheet's rows go to a
    temporary file until the zip is assembled at close.
    """
    workbook = xlsxwriter.Workbook(destination, {"constant_memory": True})
    header = workbook.add_format(HEADER_STYLE)
    formats = {
        kind: _cell_format(workbook, number_format(kind, table.view_format)) for kind in ColumnKind
    }
    for plan in workbook_sheets(table, limits):
        _write_sheet(workbook, plan, header, [formats[column.kind] for column in plan.columns])
    workbook.close()


def _cell_format(workbook: Any, code: str | None) -> Any:
    return workbook.add_format({"num_format": code}) if code else None


def _write_sheet(workbook: Any, plan: SheetPlan, header: Any, formats: list[Any]) -> None:
    sheet = workbook.add_worksheet(plan.name)
    for index, width in enumerate(plan.widths):
        # The column format also covers its empty cells, so values typed in later match.
        sheet.set_column(index, index, width, formats[index])
    for index, column in enumerate(plan.columns):
        sheet.write_string(0, index, header_text(column.title), header)
    sheet.freeze_panes(1, 0)
    last_row = 0
    for last_row, row in enumerate(plan.rows(), start=1):
        for index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(last_row, index, value, formats[index])
            elif isinstance(value, datetime):
                sheet.write_datetime(last_row, index, value, formats[index])
            else:
                sheet.write_number(last_row, index, value, formats[index])
    sheet.autofilter(0, 0, last_row, len(plan.columns) - 1)
