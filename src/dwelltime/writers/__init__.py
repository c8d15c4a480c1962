"""Report files: one writer per `outputType`, chosen from a registry, each streaming rows.

Writers read `engine.table.ReportTable` and never import exports, api or cli.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

from dwelltime.engine.table import AggregateKind, ReportTable
from dwelltime.params.model import OutputType, ReportParams
from dwelltime.writers.csv import write_aggregate_csv, write_sheet_csv
from dwelltime.writers.destination import Abandonable, release_frames
from dwelltime.writers.limits import (
    UNLIMITED,
    XLS_LIMITS,
    XLSX_LIMITS,
    SheetLimits,
    check_sheet_columns,
)
from dwelltime.writers.names import download_name, filter_label

__all__ = [
    "XLSX_LIMITS",
    "XLS_LIMITS",
    "SheetLimits",
    "check_columns",
    "content_type",
    "file_extension",
    "file_name",
    "report_file_name",
    "write_report",
]

Writer = Callable[[ReportTable, BinaryIO, SheetLimits], None]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True, slots=True)
class FileFormat:
    """What one outputType produces: its writer, file extension, content type and limits."""

    write: Writer
    extension: str
    content_type: str
    limits: SheetLimits = UNLIMITED


def _aggregate_csv(output_type: OutputType, kind: AggregateKind) -> FileFormat:
    return FileFormat(
        write=lambda table, destination, _: write_aggregate_csv(
            table, kind, output_type.value, destination
        ),
        extension="csv",
        content_type=CSV_CONTENT_TYPE,
    )


def write_xlsx(table: ReportTable, destination: BinaryIO, limits: SheetLimits) -> None:
    """The native XLSX writer, loaded only when a workbook is written (start-up)."""
    from dwelltime.writers.xlsx import write_xlsx as write

    write(table, destination, limits)


def write_xls(table: ReportTable, destination: BinaryIO, limits: SheetLimits) -> None:
    """The xlwt writer, loaded only when an XLS file is written (start-up)."""
    from dwelltime.writers.xls import write_xls as write

    write(table, destination, limits)


_FORMATS: dict[OutputType, FileFormat] = {
    OutputType.CSV: FileFormat(
        write=lambda table, destination, _: write_sheet_csv(table.listing, destination),
        extension="csv",
        content_type=CSV_CONTENT_TYPE,
    ),
    OutputType.CSV_AVERAGE: _aggregate_csv(OutputType.CSV_AVERAGE, AggregateKind.AVERAGE),
    OutputType.CSV_SUM: _aggregate_csv(OutputType.CSV_SUM, AggregateKind.SUM),
    OutputType.CSV_MEDIAN: _aggregate_csv(OutputType.CSV_MEDIAN, AggregateKind.MEDIAN),
    OutputType.CSV_STANDARD_DEVIATION: _aggregate_csv(
        OutputType.CSV_STANDARD_DEVIATION, AggregateKind.STANDARD_DEVIATION
    ),
    OutputType.XLSX: FileFormat(
        write=write_xlsx,
        extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        limits=XLSX_LIMITS,
    ),
    OutputType.XLS: FileFormat(
        write=write_xls,
        extension="xls",
        content_type="application/vnd.ms-excel",
        limits=XLS_LIMITS,
    ),
}


def write_report(
    table: ReportTable,
    output_type: OutputType,
    destination: BinaryIO,
    *,
    limits: SheetLimits | None = None,
) -> None:
    """Write `table` as `output_type` into `destination` (left open), row by row.

    `limits` overrides the format's sheet limits (tests use small ones). Raises
    ReportTooLarge when a sheet is wider than the format allows, before writing anything.
    """
    file_format = _FORMATS[output_type]
    sheet_limits = limits or file_format.limits
    for sheet in (table.listing, *table.aggregates.values()):
        check_sheet_columns(output_type.value, sheet_limits, len(sheet.columns))
    guarded = Abandonable(destination)
    try:
        file_format.write(table, cast(BinaryIO, guarded), sheet_limits)
    except BaseException as error:
        # A writer that failed half way (a full disk, an abort) can leave a zip or a
        # workbook unfinished, whose finaliser writes the rest when the garbage collector
        # gets to it: by then, into a file its caller closed or discarded, failing some
        # unrelated later request. It goes quiet, and is finalised now.
        guarded.abandon()
        release_frames(error)
        raise


def check_columns(output_type: OutputType, column_count: int) -> None:
    """Refuse early (ReportTooLarge) a column count `output_type` cannot hold."""
    check_sheet_columns(output_type.value, _FORMATS[output_type].limits, column_count)


def file_extension(output_type: OutputType) -> str:
    """`csv`, `xlsx` or `xls`."""
    return _FORMATS[output_type].extension


def content_type(output_type: OutputType) -> str:
    """The download's Content-Type (SPEC §2)."""
    return _FORMATS[output_type].content_type


def file_name(columns_by: str, filter_label: str, now_ms: int, output_type: OutputType) -> str:
    """`<columnsBy>-<filter>-<yyyyMMdd-HHmm>.<ext>`, filesystem-safe (see names.py)."""
    return download_name(columns_by, filter_label, now_ms, file_extension(output_type))


def report_file_name(params: ReportParams, now_ms: int) -> str:
    """The file name of a report: its type, its filter and when it started."""
    return file_name(params.columns_by, filter_label(params), now_ms, params.output_type)
