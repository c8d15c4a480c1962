"""The sheets of an XLSX/XLS workbook in order, with Excel-ready cells, formats and widths.

Shared by xlsx.py and xls.py so both formats lay out and type a report identically.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice

import dwelltime
from dwelltime.engine.table import (
    AggregateKind,
    Block,
    Cell,
    Column,
    ColumnKind,
    ReportTable,
    Sheet,
)
from dwelltime.writers.limits import EXCEL_MAX_CELL_TEXT, SheetLimits, pages
from dwelltime.writers.text import clean_text, truncate

#: A cell as both Excel writers take it: text already cleaned and capped, dates naive.
ExcelCell = str | int | float | datetime | None

PARAMETERS_SHEET = "Parameters"
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
HUMAN_READABLE = "humanReadable"

#: Rows looked at to size columns: constant-memory XLSX needs widths before any row.
WIDTH_SAMPLE_ROWS = 50
MIN_WIDTH = 8.0
MAX_WIDTH = 60.0
#: Room for the autofilter button beside a header title.
FILTER_BUTTON_WIDTH = 3


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """One physical sheet to write: its name, typed columns, widths and its blocks of the
    table's cells (Excel-ready through `excel_value`, or a column at a time)."""

    name: str
    columns: Sequence[Column]
    widths: Sequence[float]
    blocks: Iterator[Block]

    def rows(self) -> Iterator[list[ExcelCell]]:
        """The plan's rows, one Excel-ready row at a time."""
        for block in self.blocks:
            for row in zip(*block, strict=True):
                yield excel_row(row)


def workbook_sheets(table: ReportTable, limits: SheetLimits) -> Iterator[SheetPlan]:
    """`List` (spilled over as needed), the aggregates present, then `Parameters`.

    Each plan's blocks must be written before the next plan is requested (streaming).
    """
    aggregates = [table.aggregates[kind] for kind in AggregateKind if kind in table.aggregates]
    for sheet in (table.listing, *aggregates, parameters_sheet(table)):
        for page in pages(sheet, limits):
            sample, blocks = _first_rows(page.blocks, WIDTH_SAMPLE_ROWS)
            yield SheetPlan(
                name=page.name,
                columns=sheet.columns,
                widths=column_widths(sheet.columns, sample),
                blocks=blocks,
            )


def _first_rows(
    blocks: Iterator[Block], count: int
) -> tuple[list[list[ExcelCell]], Iterator[Block]]:
    """The first `count` rows (Excel-ready), and the blocks with those rows still in them."""
    head: list[Block] = []
    sample: list[list[ExcelCell]] = []
    while len(sample) < count and (block := next(blocks, None)) is not None:
        head.append(block)
        sample.extend(excel_row(row) for row in islice(zip(*block, strict=True), count))
    return sample[:count], chain(head, blocks)


def parameters_sheet(table: ReportTable) -> Sheet:
    """Every report parameter (now and the calendar included), the version, and a note
    when durations are text (humanReadable) so nobody tries to sum them."""
    rows: list[Sequence[Cell]] = [[name, value] for name, value in table.parameters]
    rows.append(["dwelltime version", dwelltime.__version__])
    if table.view_format == HUMAN_READABLE:
        rows.append(
            [
                "note",
                "viewFormat=humanReadable: duration columns hold text such as 2d 3h 15m, "
                "not numbers; choose days, hours, minutes or seconds to compute with them",
            ]
        )
    columns = [Column("Parameter", ColumnKind.TEXT), Column("Value", ColumnKind.TEXT)]
    return Sheet(PARAMETERS_SHEET, columns, lambda: iter(rows), len(rows))


def excel_row(row: Sequence[Cell]) -> list[ExcelCell]:
    return [excel_value(value) for value in row]


def excel_value(value: Cell) -> ExcelCell:
    """A cell as Excel can hold it: clean text capped at 32,767 characters, the wall-clock
    time of an aware date in its own zone (Excel dates have no zone), no NaN/infinity.

    Empty text becomes an empty cell, as XlsxWriter writes it, so XLS matches XLSX.
    """
    if value is None or type(value) is int:
        return value
    if isinstance(value, str):
        return truncate(clean_text(value), EXCEL_MAX_CELL_TEXT) if value else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    raise TypeError(f"a report cell cannot hold {type(value).__name__}: {value!r}")


def header_text(title: str) -> str:
    return truncate(clean_text(title), EXCEL_MAX_CELL_TEXT)


def number_format(kind: ColumnKind, view_format: str) -> str | None:
    """Excel number format of a column; None for text (Excel's General)."""
    if kind is ColumnKind.DURATION:
        # Matches the engine's rounding: seconds to 3 decimals, other units to 2.
        return "0.000" if view_format == "seconds" else "0.00"
    if kind is ColumnKind.COUNT:
        return "0"
    if kind is ColumnKind.NUMBER:
        return "0.00"
    if kind is ColumnKind.DATE:
        return DATE_FORMAT
    return None


def column_widths(columns: Sequence[Column], sample: Sequence[Sequence[ExcelCell]]) -> list[float]:
    """Widths in characters from the header and the first rows, within sane bounds."""
    widths = []
    for index, column in enumerate(columns):
        longest = len(column.title) + FILTER_BUTTON_WIDTH
        for row in sample:
            if index < len(row):
                longest = max(longest, _display_length(row[index]))
        widths.append(min(max(float(longest + 1), MIN_WIDTH), MAX_WIDTH))
    return widths


def _display_length(value: ExcelCell) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    if isinstance(value, datetime):
        return len(DATE_FORMAT)
    if isinstance(value, float):
        return len(f"{value:.3f}")
    return len(str(value))
