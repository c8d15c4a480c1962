"""Hand-built ReportTables for the writer tests: small sheets, tricky text, lazy big ones."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind, ReportTable, Sheet

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Text that must come back as text in every format (OWASP CSV injection examples).
FORMULA_TEXTS = ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "=1+2")

#: Non-ASCII text kept as-is everywhere: Chinese, a zero-width space, an emoji, accents.
UNICODE_TEXTS = ("进行中", "In\u200bProgress", "Done ✅", "Größe", "Ünïcødé naïve")

T = ColumnKind.TEXT
D = ColumnKind.DURATION
C = ColumnKind.COUNT
N = ColumnKind.NUMBER
DT = ColumnKind.DATE


def columns(*pairs: tuple[str, ColumnKind]) -> list[Column]:
    return [Column(title, kind) for title, kind in pairs]


def sheet(name: str, cols: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> Sheet:
    """A sheet over a fixed list of rows (re-callable like the engine's)."""
    return Sheet(name=name, columns=cols, rows=lambda: iter(rows), row_count=len(rows))


def generated_sheet(
    name: str, cols: Sequence[Column], count: int, make_row: Callable[[int], Sequence[Cell]]
) -> Sheet:
    """A sheet whose rows are produced on demand, never held as a list (big tests)."""

    def rows() -> Iterator[Sequence[Cell]]:
        return (make_row(index) for index in range(count))

    return Sheet(name=name, columns=cols, rows=rows, row_count=count)


LIST_COLUMNS = columns(
    ("Key", T),
    ("Summary", T),
    ("Issue Type", T),
    ("进行中", D),
    ("Done", D),
    ("Entries", C),
    ("Resolved", DT),
)

LIST_ROWS: list[list[Cell]] = [
    ["ACME-1", "Plain summary", "Bug", 12.5, 0.0, 3, datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)],
    ["ACME-2", "=cmd|' /C calc'!A0", "Task", None, 1234567.25, 0, None],
    [
        "ACME-3",
        "In\u200bProgress 进行中",
        "+1",
        0.1,
        None,
        None,
        datetime(2026, 11, 29, 18, 4, tzinfo=SHANGHAI),
    ],
    ["ACME-4", "nul\x00byte and bell\x07", "-2", 59.99, 7.0, 12, None],
    ["ACME-5", "@SUM(1)", None, 1e-7, 1e16, 1, datetime(2026, 7, 1, 0, 0, 1, tzinfo=BERLIN)],
    ["ACME-6", 'line\nbreak, comma "quote"', "", 3.0, 2.75, 2, None],
]

AGGREGATE_COLUMNS = columns(("Issue Type", T), ("Issue Count", C), ("进行中", D), ("Done", D))


def aggregate_rows(kind: AggregateKind) -> list[list[Cell]]:
    """Distinct numbers per kind, so a test can tell the tables apart."""
    offset = list(AggregateKind).index(kind)
    return [
        ["Bug", 2, 10.25 + offset, None],
        ["Task", 4, 1.5 + offset, 30.0 + offset],
        [None, 1, None, 0.0],
    ]


def report_table(
    *,
    with_aggregates: bool = True,
    view_format: str = "minutes",
    listing: Sheet | None = None,
) -> ReportTable:
    """The standard mixed table: typed columns, tricky text, empty cells, zoned dates."""
    aggregates = (
        {kind: sheet(kind.value, AGGREGATE_COLUMNS, aggregate_rows(kind)) for kind in AggregateKind}
        if with_aggregates
        else {}
    )
    return ReportTable(
        listing=listing or sheet("List", LIST_COLUMNS, LIST_ROWS),
        aggregates=aggregates,
        parameters=[
            ("columnsBy", "statusDuration"),
            ("filterType", "project"),
            ("projectKey", "ACME"),
            ("viewFormat", view_format),
            ("now", "2026-11-29 18:04:11 UTC"),
            ("calendar", "normalHours (7/24, UTC)"),
        ],
        view_format=view_format,
    )


class Unseekable(io.RawIOBase):
    """A write-only stream (an HTTP response body, a pipe) that cannot seek."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        return len(data)
