"""The column paths of the CSV writer give exactly `cell_text` of every cell."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.engine.table import Cell
from dwelltime.writers.csv import cell_text, column_text, write_csv_rows
from tests.writers.factories import BERLIN

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
ROUNDED = st.floats(allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


def expected(cells: list[Cell]) -> list[str | None]:
    return [text or None for text in map(cell_text, cells)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(), ROUNDED), max_size=20))
def test_float_columns(cells: list[Cell]) -> None:
    assert column_text(cells).to_list() == expected(cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), ANY_TEXT), max_size=20))
def test_text_columns(cells: list[Cell]) -> None:
    assert column_text(cells).to_list() == expected(cells)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers()), max_size=20))
def test_count_columns_of_any_size(cells: list[Cell]) -> None:
    assert column_text(cells).to_list() == expected(cells)


def test_mixed_and_date_columns_take_the_cell_rule() -> None:
    cells: list[Cell] = [1, 2.5, "=x", None, "", datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)]
    assert column_text(cells).to_list() == ["1", "2.5", "'=x", None, None, "2026-03-29 03:30:00"]


def test_scientific_floats_are_written_plainly() -> None:
    cells: list[Cell] = [1e16, 1e-7, -0.0, float("nan"), float("inf"), 12.0]
    assert column_text(cells).to_list() == [
        "10000000000000000",
        "0.0000001",
        "-0.0",
        None,
        None,
        "12.0",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.floats(), ROUNDED), st.one_of(st.none(), ANY_TEXT)),
        max_size=20,
    )
)
def test_written_rows_are_the_cell_texts(rows: list[tuple[float | None, str | None]]) -> None:
    """Floats reach Polars' writer as numbers, not texts: the bytes it writes are still
    what Python's csv module writes of `cell_text` of each cell."""
    numbers, texts = [cell for cell, _ in rows], [cell for _, cell in rows]
    written = io.BytesIO()
    write_csv_rows([[pl.Series(numbers, dtype=pl.Float64), texts]], 2, written)
    wanted = io.StringIO()
    writer = csv.writer(wanted, lineterminator="\r\n")
    writer.writerows([[cell_text(cell) or "" for cell in row] for row in rows])
    assert written.getvalue().decode() == wanted.getvalue()
