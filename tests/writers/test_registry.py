"""The registry's small answers: extensions, content types, file names, column limits."""

from __future__ import annotations

import io

import pytest

from dwelltime.errors import ReportTooLarge
from dwelltime.params.model import OutputType
from dwelltime.writers import check_columns, content_type, file_extension, file_name, write_report
from tests.writers.factories import T, columns, report_table, sheet
from tests.writers.readers import read_workbook

NOW_MS = 1_764_439_451_000  # 2025-11-29 18:04:11 UTC


@pytest.mark.parametrize(
    ("output_type", "extension", "mime"),
    [
        pytest.param(OutputType.CSV, "csv", "text/csv; charset=utf-8", id="csv"),
        pytest.param(OutputType.CSV_AVERAGE, "csv", "text/csv; charset=utf-8", id="avg"),
        pytest.param(OutputType.CSV_SUM, "csv", "text/csv; charset=utf-8", id="sum"),
        pytest.param(OutputType.CSV_MEDIAN, "csv", "text/csv; charset=utf-8", id="median"),
        pytest.param(
            OutputType.CSV_STANDARD_DEVIATION, "csv", "text/csv; charset=utf-8", id="stddev"
        ),
        pytest.param(
            OutputType.XLSX,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            id="xlsx",
        ),
        pytest.param(OutputType.XLS, "xls", "application/vnd.ms-excel", id="xls"),
    ],
)
def test_every_output_type_has_an_extension_and_content_type(
    output_type: OutputType, extension: str, mime: str
) -> None:
    assert file_extension(output_type) == extension
    assert content_type(output_type) == mime


@pytest.mark.parametrize(
    ("columns_by", "label", "output_type", "expected"),
    [
        pytest.param(
            "statusDuration",
            "ACME",
            OutputType.XLSX,
            "statusDuration-ACME-20251129-1804.xlsx",
            id="plain",
        ),
        pytest.param(
            "statusCount",
            "../etc/passwd",
            OutputType.CSV,
            "statusCount-etc_passwd-20251129-1804.csv",
            id="path-traversal",
        ),
        pytest.param(
            "statusCount",
            "a\\b/c d",
            OutputType.XLS,
            "statusCount-a_b_c_d-20251129-1804.xls",
            id="slashes-and-spaces",
        ),
        pytest.param(
            "statusCount",
            "Müller Straße",
            OutputType.CSV,
            "statusCount-Muller_Stra_e-20251129-1804.csv",
            id="accents-dropped",
        ),
        pytest.param(
            "statusCount",
            "进行中",
            OutputType.CSV,
            "statusCount-report-20251129-1804.csv",
            id="no-ascii-left",
        ),
        pytest.param(
            "statusCount",
            "jql\x00\n\u200b",
            OutputType.CSV,
            "statusCount-jql-20251129-1804.csv",
            id="controls",
        ),
        pytest.param(
            "statusCount",
            "x" * 500,
            OutputType.CSV,
            f"statusCount-{'x' * 60}-20251129-1804.csv",
            id="capped",
        ),
    ],
)
def test_file_names_are_filesystem_safe(
    columns_by: str, label: str, output_type: OutputType, expected: str
) -> None:
    assert file_name(columns_by, label, NOW_MS, output_type) == expected


def test_xls_refuses_more_than_256_columns_naming_the_limit_and_alternatives() -> None:
    with pytest.raises(ReportTooLarge) as caught:
        check_columns(OutputType.XLS, 257)
    message = caught.value.message
    assert "256" in message
    assert "257" in message
    assert "XLSX" in message
    assert "CSV" in message


@pytest.mark.parametrize(
    ("output_type", "count"),
    [
        pytest.param(OutputType.XLS, 256, id="xls-at-limit"),
        pytest.param(OutputType.XLSX, 16_384, id="xlsx-at-limit"),
        pytest.param(OutputType.CSV, 1_000_000, id="csv-unlimited"),
        pytest.param(OutputType.CSV_SUM, 1_000_000, id="csv-aggregate-unlimited"),
    ],
)
def test_column_counts_within_limits_pass(output_type: OutputType, count: int) -> None:
    check_columns(output_type, count)


def test_xlsx_refuses_more_than_16384_columns() -> None:
    with pytest.raises(ReportTooLarge, match="16,384"):
        check_columns(OutputType.XLSX, 16_385)


def test_write_report_refuses_a_wide_xls_before_writing_anything() -> None:
    buffer = io.BytesIO()
    table = report_table(
        listing=sheet("List", columns(*[(f"S{i}", T) for i in range(257)]), [["v"] * 257])
    )
    with pytest.raises(ReportTooLarge, match="256"):
        write_report(table, OutputType.XLS, buffer)
    assert buffer.getvalue() == b""


def test_an_xls_of_exactly_256_columns_is_written() -> None:
    buffer = io.BytesIO()
    titles = [f"S{i}" for i in range(256)]
    table = report_table(
        listing=sheet("List", columns(*[(title, T) for title in titles]), [titles]),
        with_aggregates=False,
    )
    write_report(table, OutputType.XLS, buffer)
    assert read_workbook(buffer.getvalue(), OutputType.XLS)["List"] == [titles, titles]
