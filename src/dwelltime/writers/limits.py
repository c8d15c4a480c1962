"""Per-format sheet limits and the spill-over of long tables onto `Name (2)`, `Name (3)`, ….

Limits are values (SheetLimits) so tests can inject small ones.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from dwelltime.engine.table import Block, Sheet
from dwelltime.errors import ReportTooLarge
from dwelltime.writers.blocks import block_height, sheet_blocks, split_block

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
    """One physical sheet of a (possibly spilled-over) table, as blocks of whole columns."""

    name: str
    blocks: Iterator[Block]


def page_name(name: str, number: int) -> str:
    """`List`, `List (2)`, `List (3)`, … kept within Excel's 31 characters."""
    suffix = "" if number == 1 else f" ({number})"
    return name[: EXCEL_MAX_SHEET_NAME - len(suffix)] + suffix


def pages(sheet: Sheet, limits: SheetLimits) -> Iterator[Page]:
    """Split a sheet's blocks into pages of at most `max_rows - 1` rows (one header each).

    The first page always exists (a header-only sheet for an empty table); later pages
    exist only when rows remain. Each page must be consumed before the next is requested.
    A block that straddles two pages is split between them.
    """
    blocks = sheet_blocks(sheet)
    carried: list[Block] = []  # the rest of a block split at the end of the last page
    number = 1
    while True:
        if number > 1 and not carried:
            following = next(blocks, None)
            if following is None:
                return
            carried.append(following)
        yield Page(page_name(sheet.name, number), _page(blocks, carried, limits.max_rows - 1))
        number += 1


def _page(blocks: Iterator[Block], carried: list[Block], room: int) -> Iterator[Block]:
    while room and (block := carried.pop() if carried else next(blocks, None)) is not None:
        height = block_height(block)
        if height > room:
            block, rest = split_block(block, room)
            carried.append(rest)
            height = room
        room -= height
        yield block
