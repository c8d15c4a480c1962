"""CSV writers: the List sheet (`CSV`) and one aggregate table (`CSVAVERAGE`, …), streamed.

UTF-8 with a byte order mark, comma, CRLF, header row; see docs/files.md for the cell rules.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

from dwelltime.engine.table import AggregateKind, Cell, ReportTable, Sheet
from dwelltime.errors import InvalidParameters
from dwelltime.writers.text import clean_text, guard_formula

#: utf-8-sig writes the BOM: Excel (the main consumer) needs it to read non-ASCII names
#: as UTF-8; pandas, Power BI and Tableau read it transparently (decisions.md).
ENCODING = "utf-8-sig"

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: DATE_FORMAT in the notation Timepiece's JSON answers use (Java's), for `dateFormat`.
DATE_PATTERN = "yyyy-MM-dd HH:mm:ss"

CsvValue = str | int | None


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
    """Stream one sheet as CSV into a binary file object (which may be unseekable)."""
    # newline="" hands line endings to the csv module (CRLF, RFC 4180) and keeps newlines
    # inside quoted cells intact.
    text = io.TextIOWrapper(destination, encoding=ENCODING, newline="")
    try:
        writer = csv.writer(text)
        writer.writerow([csv_cell(column.title) for column in sheet.columns])
        writer.writerows(_csv_rows(sheet.rows()))
        text.flush()
    finally:
        # Leave the caller's file open: it owns it.
        text.detach()


def _csv_rows(rows: Iterable[Sequence[Cell]]) -> Iterable[list[CsvValue]]:
    for row in rows:
        yield [csv_cell(value) for value in row]


def csv_cell(value: Cell) -> CsvValue:
    """One cell as CSV text; the csv module writes None as an empty field and ints as-is."""
    if value is None or type(value) is int:
        return value
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
