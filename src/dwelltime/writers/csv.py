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
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

import polars as pl

from dwelltime.engine.table import (
    AggregateKind,
    Block,
    Cell,
    CellColumn,
    Column,
    ReportTable,
    Sheet,
)
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
    write_csv_header(sheet.columns, destination)
    write_csv_rows(sheet_blocks(sheet), len(sheet.columns), destination)


def write_csv_header(columns: Sequence[Column], destination: BinaryIO) -> None:
    """What a CSV file starts with: the byte order mark and the header row."""
    destination.write(BOM)
    _write_block([[column.title] for column in columns], len(columns), destination)


def write_csv_rows(blocks: Iterable[Block], width: int, destination: BinaryIO) -> None:
    """The rows of non-empty blocks of a `width`-column sheet, as they follow its header:
    a split export's chunk writes its part of the file this way, the merge only copies."""
    for block in blocks:
        _write_block(block, width, destination)


def _write_block(block: Block, width: int, destination: BinaryIO) -> None:
    """RFC 4180 as Python's csv module writes it (QUOTE_MINIMAL): a field is quoted when it
    holds a comma, a quote or a line break, and an empty field only when it is the row's
    only field."""
    frame = _block_frame(block)
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


def column_text(cells: CellColumn) -> pl.Series:
    """The CSV text of a column's cells, null for an empty field: `cell_text` of each."""
    return _block_frame([cells]).to_series().cast(pl.Utf8)


def _block_frame(block: Block) -> pl.DataFrame:
    """Every column as Polars' CSV writer gives its text (null: an empty field), in one
    Polars pass over the block.

    Text columns get their hygiene and formula guard in an expression; counts and floats
    stay numbers, which the writer prints as `cell_text` does (shortest round-trip text,
    as `repr`: bench/RESULTS.md measured casting them to text first at a third of a CSV's
    CPU), except a float column holding a float Polars would print in scientific notation
    (or a NaN), which becomes text with those few cells fixed. The rest (dates, mixed
    columns) take `cell_text` cell by cell.
    """
    inputs: dict[str, pl.Series] = {}
    texts: list[pl.Expr] = []
    floats: list[str] = []
    empty_as_null: list[str] = []  # text columns (an empty string would be quoted)
    for index, cells in enumerate(block):
        name = f"c{index}"
        column = pl.col(name)
        series = cells if isinstance(cells, pl.Series) else _typed(cells)
        if series is None or not _columnar(series.dtype):
            inputs[name] = pl.Series([cell_text(value) for value in cells], dtype=pl.Utf8)
            texts.append(column)
            empty_as_null.append(name)
        elif series.dtype == pl.Utf8:
            inputs[name] = series
            texts.append(guard_formula_column(clean_text_column(column)).alias(name))
            empty_as_null.append(name)
        else:
            inputs[name] = series
            texts.append(column)
            if series.dtype == pl.Float64:
                floats.append(name)
    frame = pl.DataFrame(inputs)
    odd = frame.select(_odd_float(pl.col(name)).any() for name in floats).row(0) if floats else ()
    fixed = [_float_texts(frame, name) for name, some in zip(floats, odd, strict=True) if some]
    # In a second pass: within the first, a `when` would run the text's regexes twice.
    nulls = (pl.when(pl.col(name) != "").then(name).alias(name) for name in empty_as_null)
    return frame.select(texts).with_columns(*fixed, *nulls)


def _float_texts(frame: pl.DataFrame, name: str) -> pl.Series:
    """Column `name` of floats as text, its cells that Polars would not print as `repr`
    (`_odd_float`) given `float_text`'s."""
    values = frame[name]
    positions = frame.select(_odd_float(pl.col(name)).arg_true()).to_series()
    repaired = [float_text(float(values[position])) for position in positions]
    return values.cast(pl.Utf8).scatter(positions, pl.Series(repaired, dtype=pl.Utf8))


def _typed(cells: Sequence[Cell]) -> pl.Series | None:
    """Python cells of one type as a typed Series (None: mixed, dates, or beyond Polars)."""
    types = set(map(type, cells))
    types.discard(type(None))
    try:
        if types == {str}:
            return pl.Series(cells, dtype=pl.Utf8)
        if types == {float}:
            return pl.Series(cells, dtype=pl.Float64)
        if types <= {int}:
            return pl.Series(cells, dtype=pl.Int64)
    except (UnicodeEncodeError, OverflowError, TypeError):
        return None  # a lone surrogate, an int beyond int64: Python's rule handles them
    return None


def _columnar(dtype: pl.DataType) -> bool:
    return dtype == pl.Utf8 or dtype == pl.Float64 or dtype.is_integer()


def _odd_float(numbers: pl.Expr) -> pl.Expr:
    """Floats whose Polars text is not Python's: non-finite, or in scientific notation."""
    magnitude = numbers.abs()
    low, high = _PLAIN_FLOATS
    odd = ~numbers.is_finite() | (magnitude >= high) | ((magnitude < low) & (magnitude > 0))
    return odd.fill_null(False)


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
