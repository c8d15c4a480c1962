"""Any table: the native XLSX writer's workbook reads back as the XlsxWriter one did.

`xlsxwriter_oracle` is the XlsxWriter writer that served before the native one, kept as
the reference; both files are compared through the same openpyxl dump (xlsx_dump).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import BinaryIO
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwelltime.engine.table import Block, Cell, Column, ColumnKind, ReportTable, Sheet
from dwelltime.writers import SheetLimits
from dwelltime.writers.xlsx import write_xlsx
from tests.writers import xlsxwriter_oracle
from tests.writers.factories import FORMULA_TEXTS, UNICODE_TEXTS, report_table
from tests.writers.xlsx_dump import dump_xlsx

ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Shanghai"), ZoneInfo("UTC")]
TITLES = st.sampled_from(["Key", "Resolved", "进行中", "=x", "Done ✅", "", "a" * 70])
TEXTS = st.one_of(
    st.sampled_from([*FORMULA_TEXTS, *UNICODE_TEXTS, "", "a\rb", "_x0041_", "x" * 40_000]),
    st.text(max_size=12),
)
#: Up to 1e300: XlsxWriter wrote the largest doubles with 16 digits, which read back as
#: infinity (the native writer keeps them); no report comes near either.
NUMBERS = st.one_of(
    st.floats(min_value=-1e300, max_value=1e300),
    st.sampled_from([math.nan, math.inf, -math.inf, 5e-324, -0.0]),
    st.floats(min_value=-1e9, max_value=1e9).map(lambda value: round(value, 2)),
)
DATES = st.builds(
    lambda instant, zone: instant.astimezone(zone),
    st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1), timezones=st.just(ZoneInfo("UTC"))),
    st.sampled_from(ZONES),
)
COUNTS = st.integers(min_value=-(2**63), max_value=2**63 - 1)

#: What cells a column of each kind holds; a TEXT column may also mix in numbers (as a
#: field's values can), which has no Arrow type and takes the cell-by-cell path.
CELLS: dict[ColumnKind, st.SearchStrategy[Cell]] = {
    ColumnKind.TEXT: st.one_of(TEXTS, TEXTS, NUMBERS),
    ColumnKind.DURATION: NUMBERS,
    ColumnKind.COUNT: COUNTS,
    ColumnKind.NUMBER: NUMBERS,
    ColumnKind.DATE: DATES,
}


@st.composite
def tables(draw: st.DrawFn) -> ReportTable:
    kinds = draw(st.lists(st.sampled_from(list(ColumnKind)), min_size=1, max_size=5))
    columns = [Column(draw(TITLES), kind) for kind in kinds]
    row_count = draw(st.integers(min_value=0, max_value=12))
    rows = [[draw(st.one_of(st.none(), CELLS[kind])) for kind in kinds] for _ in range(row_count)]
    cuts = sorted(draw(st.lists(st.integers(0, row_count), max_size=3)))
    listing = _blocked_sheet(columns, rows, [0, *cuts, row_count])
    view_format = draw(st.sampled_from(["minutes", "seconds", "humanReadable"]))
    return report_table(listing=listing, view_format=view_format)


def _blocked_sheet(columns: list[Column], rows: list[list[Cell]], cuts: list[int]) -> Sheet:
    """A List sheet streaming `rows` as blocks cut at `cuts`, as the engine's does."""

    def blocks() -> Iterator[Block]:
        for start, stop in pairwise(cuts):
            yield [[row[index] for row in rows[start:stop]] for index in range(len(columns))]

    def row_stream() -> Iterator[Sequence[Cell]]:
        return iter(rows)

    return Sheet("List", columns, row_stream, len(rows), blocks)


def written(
    writer: Callable[[ReportTable, BinaryIO, SheetLimits], None],
    table: ReportTable,
    limits: SheetLimits,
) -> bytes:
    buffer = io.BytesIO()
    writer(table, buffer, limits)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), max_rows=st.sampled_from([3, 5, 1_048_576]))
def test_any_table_reads_back_as_the_xlsxwriter_workbook_did(
    table: ReportTable, max_rows: int
) -> None:
    limits = SheetLimits(max_rows=max_rows, max_columns=16_384)
    native = dump_xlsx(written(write_xlsx, table, limits))
    assert native == dump_xlsx(written(xlsxwriter_oracle.write_xlsx, table, limits))


def test_the_date_cells_keep_their_milliseconds() -> None:
    instant = datetime(2026, 3, 29, 1, 30, 0, 123_000, tzinfo=ZONES[0]) + timedelta(hours=1)
    listing = _blocked_sheet([Column("Resolved", ColumnKind.DATE)], [[instant]], [0, 1])
    limits = SheetLimits(max_rows=10, max_columns=10)
    cells = dump_xlsx(written(write_xlsx, report_table(listing=listing), limits))[0]["cells"]
    assert cells[1][:3] == ["A2", "date", instant.replace(tzinfo=None).isoformat()]
