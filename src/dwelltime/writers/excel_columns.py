"""A block's columns as typed Polars series of Excel-ready cells, for the native XLSX writer.

The same rules as `workbook.excel_value`, a column at a time: text cleaned of unholdable
characters and capped at 32,767 UTF-16 units, empty text as an empty cell, naive
wall-clock dates, no NaN or infinity. A column whose cells mix types has no Arrow type:
`excel_frame` then answers None and the writer takes that block a cell at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from dwelltime.engine.table import Block, Cell, CellColumn
from dwelltime.writers.limits import EXCEL_MAX_CELL_TEXT
from dwelltime.writers.text import clean_text_column
from dwelltime.writers.workbook import excel_value

_NONE = type(None)


def excel_frame(block: Block) -> pl.DataFrame | None:
    """The block as a frame of columns `c0`, `c1`, … (positional: titles may repeat)."""
    series = {}
    for index, cells in enumerate(block):
        column = excel_series(cells)
        if column is None:
            return None
        series[f"c{index}"] = column
    return pl.DataFrame(series)


def excel_series(cells: CellColumn) -> pl.Series | None:
    """One column's Excel-ready cells, or None when they mix types."""
    if isinstance(cells, pl.Series):
        # The engine's rendered columns arrive typed already (Utf8, Int64 or Float64).
        if cells.dtype == pl.Utf8:
            return _texts(cells)
        if cells.dtype in (pl.Int64, pl.Float64):
            return _finite(cells)
        cells = cells.to_list()
    types = set(map(type, cells)) - {_NONE}
    if not types or types <= {int, float}:
        return _numbers(cells, types)
    if types == {str}:
        return _texts(cells)
    if types == {datetime}:
        return pl.Series([excel_value(cell) for cell in cells], dtype=pl.Datetime("us"))
    return None


def _numbers(cells: Sequence[Cell], types: set[type]) -> pl.Series | None:
    try:
        numbers = pl.Series(cells, dtype=pl.Int64 if types == {int} else pl.Float64)
    except OverflowError:  # an int beyond 64 bits (never a count): cell by cell
        return None
    return _finite(numbers)


def _finite(numbers: pl.Series) -> pl.Series:
    if numbers.dtype == pl.Float64:
        return numbers.to_frame("n").select(pl.when(pl.col("n").is_finite()).then("n")).to_series()
    return numbers


def _texts(cells: CellColumn) -> pl.Series:
    try:
        texts = pl.Series(cells, dtype=pl.Utf8)
    except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold: Python's rule
        return pl.Series([excel_value(cell) for cell in cells], dtype=pl.Utf8)
    # Cleaned in a select of its own: an expression naming the cleaning twice runs its
    # regex twice.
    cleaned = texts.to_frame("t").select(clean_text_column(pl.col("t")))
    texts = cleaned.select(pl.when(pl.col("t") != "").then("t")).to_series()
    # A text of more than half the limit in characters may exceed it in UTF-16 units.
    long = (texts.str.len_chars() > EXCEL_MAX_CELL_TEXT // 2).fill_null(False).arg_true()
    if long.len():
        capped = [excel_value(texts[position]) for position in long]
        texts = texts.scatter(long, pl.Series(capped, dtype=pl.Utf8))
    return texts
