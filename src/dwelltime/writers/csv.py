"""CSV writers: the List sheet (`CSV`) and one aggregate table (`CSVAVERAGE`, …), streamed.

UTF-8 with a byte order mark, comma, CRLF, header row; see docs/files.md for the cell rules.
A sheet is written a block of rows at a time from whole columns: each column becomes text
in one Polars expression where its cells share a type (numbers, counts, text) and Polars
writes the block, so no Python row or per-cell call is made on the hot path. Cells that
need Python (dates, numbers Python would print in scientific notation, mixed columns)
take `cell_text`, the one rule that the column paths reproduce.
"""

from __future__ import annotations

import codecs
import io
import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

import polars as pl

from dwelltime.engine.table import AggregateKind, Block, Cell, ReportTable, Sheet
from dwelltime.errors import InvalidParameters
from dwelltime.writers.blocks import sheet_blocks
from dwelltime.writers.text import (
    clean_text,
    clean_text_column,
    guard_formula,
    guard_formula_column,
)

#: Excel (the main consumer) needs the byte order mark to read non-ASCII names as UTF-8;
#: pandas, Power BI and Tableau read it transparently (decisions.md).
BOM = codecs.BOM_UTF8

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: DATE_FORMAT in the notation Timepiece's JSON answers use (Java's), for `dateFormat`.
DATE_PATTERN = "yyyy-MM-dd HH:mm:ss"

#: Where `repr` of a float switches to scientific notation, which `float_text` undoes.
_PLAIN_FLOATS = (1e-4, 1e16)


def write_aggregate_csv(
    table: ReportTable, kind: AggregateKind, output_type: str, destination: BinaryIO
) -> None:
    """`CSVAVERAGE` and its siblings: the one aggregate table, or a clear refusal without it."""
    sheet = table.aggregates.get(kind)
    if sheet is None:
        columns_by = dict(table.parameters).get("columnsBy", "this report")
        raise InvalidParameters(
            [
                f"outputType: {output_type} has no {kind.value} table for "
                f"columnsBy={columns_by} (date and expanded reports are not aggregated); "
                "choose CSV, XLSX or XLS"
            ]
        )
    write_sheet_csv(sheet, destination)


def write_sheet_csv(sheet: Sheet, destination: BinaryIO) -> None:
    """Stream one sheet as CSV into a binary file object (which may be unseekable; left open)."""
    destination.write(BOM)
    width = len(sheet.columns)
    _write_block([[column.title] for column in sheet.columns], width, destination)
    for block in sheet_blocks(sheet):
        _write_block(block, width, destination)


def _write_block(block: Block, width: int, destination: BinaryIO) -> None:
    """RFC 4180 as Python's csv module writes it (QUOTE_MINIMAL): a field is quoted when it
    holds a comma, a quote or a line break, and an empty field only when it is the row's
    only field."""
    frame = pl.DataFrame({f"c{index}": column_text(cells) for index, cells in enumerate(block)})
    # Into memory first: the destination's own errors (a full disk's ENOSPC) must reach
    # the caller as raised, which they would not through Polars' writer.
    text = io.BytesIO()
    frame.write_csv(
        text,
        include_header=False,
        quote_style="necessary",
        null_value='""' if width == 1 else "",
        line_terminator="\r\n",
    )
    destination.write(text.getbuffer())


def column_text(cells: Sequence[Cell]) -> pl.Series:
    """The CSV text of a column's cells, null for an empty field: `cell_text` of each."""
    types = set(map(type, cells))
    types.discard(type(None))
    texts: pl.Series | None = None
    if types == {str}:
        texts = _texts(cells)
    elif types == {float}:
        texts = _float_texts(cells)
    elif types <= {int}:
        texts = _int_texts(cells)
    if texts is None:
        texts = pl.Series([cell_text(value) for value in cells], dtype=pl.Utf8)
    return texts.to_frame("t").select(pl.when(pl.col("t") != "").then("t")).to_series()


def _texts(cells: Sequence[Cell]) -> pl.Series | None:
    try:
        texts = pl.Series(cells, dtype=pl.Utf8)
    except UnicodeEncodeError:  # a lone surrogate: Python's rule handles it
        return None
    column = pl.col("t")
    return texts.to_frame("t").select(guard_formula_column(clean_text_column(column))).to_series()


def _float_texts(cells: Sequence[Cell]) -> pl.Series:
    numbers = pl.Series(cells, dtype=pl.Float64)
    texts = numbers.cast(pl.Utf8)
    magnitude = numbers.abs()
    low, high = _PLAIN_FLOATS
    odd = ~numbers.is_finite() | (magnitude >= high) | ((magnitude < low) & (magnitude > 0))
    positions = odd.fill_null(False).arg_true()
    if positions.len():
        fixed = [float_text(float(numbers[position])) for position in positions]
        texts = texts.scatter(positions, pl.Series(fixed, dtype=pl.Utf8))
    return texts


def _int_texts(cells: Sequence[Cell]) -> pl.Series | None:
    try:
        return pl.Series(cells, dtype=pl.Int64).cast(pl.Utf8)
    except (OverflowError, TypeError):  # beyond int64 (never a count): Python's rule
        return None


def cell_text(value: Cell) -> str | None:
    """One cell as CSV text; None is an empty field."""
    if value is None:
        return None
    if type(value) is int:
        return str(value)
    if isinstance(value, str):
        return guard_formula(clean_text(value))
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    raise TypeError(f"a report cell cannot hold {type(value).__name__}: {value!r}")


def float_text(value: float) -> str | None:
    """Shortest text that reads back as `value`, never in scientific notation.

    NaN and infinities (an empty aggregate computed as NaN) become an empty cell.
    """
    if not math.isfinite(value):
        return None
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text
