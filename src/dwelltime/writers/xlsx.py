"""XLSX writer on the native rust_xlsxwriter (rvgsrust-xlsxwriter): a block at a time.

Each block of rows goes to the writer as typed Arrow columns in one call, so no Python
call is made per cell. Columns are written by position, so repeated titles stay apart.
Text is only ever a string cell: nothing a user typed becomes a formula.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from rvgsrust_xlsxwriter import Format, Workbook, Worksheet

from dwelltime.engine.table import Block, ColumnKind, ReportTable
from dwelltime.writers.blocks import block_height
from dwelltime.writers.excel_columns import excel_frame
from dwelltime.writers.limits import SheetLimits
from dwelltime.writers.workbook import (
    SheetPlan,
    excel_row,
    header_text,
    number_format,
    workbook_sheets,
)

HEADER_FILL = "#DDEBF7"

#: Bytes per read when the finished file is copied into the destination.
COPY_CHUNK = 1 << 20


def write_xlsx(table: ReportTable, destination: BinaryIO, limits: SheetLimits) -> None:
    """Write the workbook into `destination` (any writable binary file; left open).

    Sheets are in constant-memory mode (rows go to temporary files as they are written);
    the zip is assembled in a temporary folder, then copied, so the destination needs
    neither seeking nor room for anything but the finished file.
    """
    with tempfile.TemporaryDirectory(prefix="dwelltime-xlsx-") as folder:
        workbook = Workbook()
        workbook.set_tempdir(folder)
        header = _header_format(workbook)
        formats = {
            kind: _cell_format(workbook, number_format(kind, table.view_format))
            for kind in ColumnKind
        }
        for plan in workbook_sheets(table, limits):
            _write_sheet(workbook, plan, header, [formats[column.kind] for column in plan.columns])
        path = Path(folder) / "report.xlsx"
        workbook.close(str(path))
        with path.open("rb") as written:
            shutil.copyfileobj(written, destination, COPY_CHUNK)


def _header_format(workbook: Workbook) -> Format:
    header = workbook.add_format()
    header.set_bold()
    header.set_background_color(HEADER_FILL)
    header.set_bottom_border("thin")
    header.set_vertical_align("top")
    return header


def _cell_format(workbook: Workbook, code: str | None) -> Format | None:
    if code is None:
        return None
    cell = workbook.add_format()
    cell.set_num_format(code)
    return cell


def _write_sheet(
    workbook: Workbook, plan: SheetPlan, header: Format, formats: list[Format | None]
) -> None:
    sheet = workbook.add_worksheet(plan.name, constant_memory=True)
    for index, (width, cell_format) in enumerate(zip(plan.widths, formats, strict=True)):
        sheet.set_column_width(index, width)
        if cell_format is not None:
            # The column format also covers its empty cells, so values typed in later match.
            sheet.set_column_format(index, cell_format)
    sheet.write_row(0, 0, [header_text(column.title) for column in plan.columns], header)
    sheet.freeze_panes(1, 0)
    row = 1
    for block in plan.blocks:
        _write_block(sheet, row, block, formats)
        row += block_height(block)
    sheet.autofilter(0, 0, row - 1, len(plan.columns) - 1)


def _write_block(sheet: Worksheet, first: int, block: Block, formats: list[Format | None]) -> None:
    frame = excel_frame(block)
    if frame is not None:
        by_name = {
            name: cell_format
            for name, cell_format in zip(frame.columns, formats, strict=True)
            if cell_format is not None
        }
        sheet.write_dataframe(first, 0, frame, write_header=False, column_formats=by_name)
        return
    # A column mixing types has no Arrow type: this block goes a cell at a time.
    for row, cells in enumerate(zip(*block, strict=True), start=first):
        for column, value in enumerate(excel_row(cells)):
            if value is not None:
                sheet.write(row, column, value, formats[column])
