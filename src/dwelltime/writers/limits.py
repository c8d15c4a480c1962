"""Per-format sheet limits and the spill-over of long tables onto `Name (2)`, `Name (3)`, ….

Limits are values (SheetLimits) so tests can inject small ones.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice

from dwelltime.engine.table import Cell, Sheet
from dwelltime.errors import ReportTooLarge

#: Excel's limit on the characters of one cell (XLSX and XLS alike).
EXCEL_MAX_CELL_TEXT = 32_767

#: Excel's limit on sheet name length.
EXCEL_MAX_SHEET_NAME = 31


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """How many rows (header included) and columns one sheet of a format may hold."""

    max_rows: int
    max_columns: int

    def __post_init__(self) -> None:
        if self.max_rows < 2 or self.max_columns < 1:
            raise ValueError(f"a sheet needs room for a header and a row: {self}")


#: CSV: one table of any size (check_sheet_columns never refuses it).
UNLIMITED = SheetLimits(max_rows=sys.maxsize, max_columns=sys.maxsize)
XLSX_LIMITS = SheetLimits(max_rows=1_048_576, max_columns=16_384)
XLS_LIMITS = SheetLimits(max_rows=65_536, max_columns=256)


def check_sheet_columns(format_name: str, limits: SheetLimits, column_count: int) -> None:
    """Refuse a table wider than the format allows, before any work is wasted on it."""
    if column_count > limits.max_columns:
        raise ReportTooLarge(
            f"{format_name} holds at most {limits.max_columns:,} columns per sheet and this "
            f"report has {column_count:,}. Choose outputType=XLSX (up to "
            f"{XLSX_LIMITS.max_columns:,} columns) or CSV (no column limit), or select fewer "
            "statuses or fields."
        )


@dataclass(frozen=True, slots=True)
class Page:
    """One physical sheet of a (possibly spilled-over) table."""

    name: str
    rows: Iterator[Sequence[Cell]]


def page_name(name: str, number: int) -> str:
    """`List`, `List (2)`, `List (3)`, … kept within Excel's 31 characters."""
    suffix = "" if number == 1 else f" ({number})"
    return name[: EXCEL_MAX_SHEET_NAME - len(suffix)] + suffix


def pages(sheet: Sheet, limits: SheetLimits) -> Iterator[Page]:
    """Split a sheet's row stream into pages of at most `max_rows - 1` rows (one header each).

    The first page always exists (a header-only sheet for an empty table); later pages
    exist only when rows remain. Each page must be consumed before the next is requested.
    """
    per_page = limits.max_rows - 1
    rows = iter(sheet.rows())
    number = 1
    while True:
        head = list(islice(rows, 1))
        if not head and number > 1:
            return
        yield Page(page_name(sheet.name, number), chain(head, islice(rows, per_page - 1)))
        number += 1
