"""CSV files read back with the csv module and compared with the table they came from."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

import pytest

from dwelltime.engine.table import AggregateKind, Cell, Column, ReportTable, Sheet
from dwelltime.errors import InvalidParameters
from dwelltime.params.model import OutputType
from dwelltime.writers import write_report
from dwelltime.writers.csv import float_text
from tests.writers.factories import LIST_COLUMNS, Unseekable, columns, report_table, sheet

T = LIST_COLUMNS[0].kind

AGGREGATE_OUTPUTS = [
    pytest.param(OutputType.CSV_AVERAGE, AggregateKind.AVERAGE, id="average"),
    pytest.param(OutputType.CSV_SUM, AggregateKind.SUM, id="sum"),
    pytest.param(OutputType.CSV_MEDIAN, AggregateKind.MEDIAN, id="median"),
    pytest.param(OutputType.CSV_STANDARD_DEVIATION, AggregateKind.STANDARD_DEVIATION, id="stddev"),
]


def written(table: ReportTable, output_type: OutputType) -> bytes:
    buffer = io.BytesIO()
    write_report(table, output_type, buffer)
    return buffer.getvalue()


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_cell(text: str, value: Cell) -> None:
    """A CSV field holds `value`: same number, same local date-time, empty for None."""
    if value is None:
        assert text == ""
    elif isinstance(value, int):
        assert text == str(value)
    elif isinstance(value, float):
        assert "e" not in text.lower()
        assert float(text) == value
    elif isinstance(value, datetime):
        assert datetime.strptime(text, "%Y-%m-%d %H:%M:%S") == value.replace(tzinfo=None)
    else:
        assert text.lstrip("'").replace("\ufffd", "") == "".join(
            char for char in value if char >= " " or char in "\t\r\n"
        )


def assert_sheet(rows: list[list[str]], expected: Sheet) -> None:
    assert rows[0] == [column.title for column in expected.columns]
    assert len(rows) == 1 + expected.row_count
    for got, want in zip(rows[1:], expected.rows(), strict=True):
        assert len(got) == len(want)
        for text, value in zip(got, want, strict=True):
            assert_cell(text, value)


def test_list_csv_holds_every_cell_of_the_list_sheet() -> None:
    table = report_table()
    assert_sheet(read_back(written(table, OutputType.CSV)), table.listing)


def test_csv_starts_with_a_bom_and_uses_crlf() -> None:
    data = written(report_table(), OutputType.CSV)
    assert data.startswith(b"\xef\xbb\xbfKey,Summary,")
    assert data.split(b"\r\n")[1].startswith(b"ACME-1,Plain summary,Bug,12.5,0.0,3,")


@pytest.mark.parametrize(("output_type", "kind"), AGGREGATE_OUTPUTS)
def test_aggregate_csv_holds_its_one_table(output_type: OutputType, kind: AggregateKind) -> None:
    table = report_table()
    assert_sheet(read_back(written(table, output_type)), table.aggregates[kind])


@pytest.mark.parametrize(("output_type", "kind"), AGGREGATE_OUTPUTS)
def test_aggregate_csv_of_an_unaggregated_report_names_the_parameter(
    output_type: OutputType, kind: AggregateKind
) -> None:
    with pytest.raises(InvalidParameters) as caught:
        written(report_table(with_aggregates=False), output_type)
    assert caught.value.messages is not None
    (message,) = caught.value.messages
    assert message.startswith(f"outputType: {output_type.value} has no {kind.value} table")
    assert "columnsBy=statusDuration" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", id="dde"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("-2", "'-2", id="minus"),
        pytest.param("@SUM(1)", "'@SUM(1)", id="at"),
        pytest.param("\tx", "'\tx", id="tab"),
        pytest.param("\rx", "'\rx", id="carriage-return"),
        pytest.param("a=b", "a=b", id="inner-equals-untouched"),
        pytest.param(" =1", " =1", id="leading-space-untouched"),
        pytest.param("进行中", "进行中", id="chinese"),
        pytest.param("a\u200bb", "a\u200bb", id="zero-width-space-kept"),
        pytest.param("a\x00b", "a\ufffdb", id="nul-replaced"),
        pytest.param("=\x00", "'=\ufffd", id="nul-and-formula"),
        pytest.param(-2, "-2", id="negative-int-untouched"),
        pytest.param(-2.5, "-2.5", id="negative-float-untouched"),
    ],
)
def test_text_cells_are_never_formulas(value: Cell, expected: str) -> None:
    listing = sheet("List", columns(("Key", T), ("Value", T)), [["ACME-1", value]])
    rows = read_back(written(report_table(listing=listing), OutputType.CSV))
    assert rows[1] == ["ACME-1", expected]


def test_header_titles_are_guarded_too() -> None:
    listing = sheet("List", columns(("Key", T), ("=HYPERLINK()", T)), [])
    assert read_back(written(report_table(listing=listing), OutputType.CSV)) == [
        ["Key", "'=HYPERLINK()"]
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(12.5, "12.5", id="plain"),
        pytest.param(0.0, "0.0", id="zero"),
        pytest.param(59.99, "59.99", id="no-spurious-digits"),
        pytest.param(1e16, "10000000000000000", id="large-not-scientific"),
        pytest.param(1.5e-7, "0.00000015", id="small-not-scientific"),
        pytest.param(-3.25, "-3.25", id="negative"),
        pytest.param(float("nan"), None, id="nan-empty"),
        pytest.param(float("inf"), None, id="inf-empty"),
    ],
)
def test_float_text(value: float, expected: str | None) -> None:
    assert float_text(value) == expected


def test_csv_streams_into_an_unseekable_destination_and_leaves_it_open() -> None:
    destination = Unseekable()
    table = report_table()
    write_report(table, OutputType.CSV, destination)  # type: ignore[arg-type]
    assert not destination.closed
    assert_sheet(read_back(b"".join(destination.chunks)), table.listing)


def test_empty_listing_gives_a_header_only_file() -> None:
    cols: Sequence[Column] = columns(("Key", T), ("Summary", T))
    data = written(report_table(listing=sheet("List", cols, [])), OutputType.CSV)
    assert read_back(data) == [["Key", "Summary"]]


def test_a_cell_of_an_unknown_type_is_an_error_not_a_silent_string() -> None:
    listing = sheet("List", columns(("Key", T)), [[object()]])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="cannot hold object"):
        written(report_table(listing=listing), OutputType.CSV)
