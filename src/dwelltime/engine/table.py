"""The finished report as writers see it: sheets of typed cells, streamed row by row.

This is the contract between the engine and the writers. A sheet's rows are produced on
demand (`Sheet.rows()` may be called more than once and reads staged data afresh), so no
writer ever needs the whole report in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice

import polars as pl


class ColumnKind(StrEnum):
    """How a column's cells are typed, so writers pick number formats and cell types."""

    #: free text (key, summary, field values, humanReadable durations)
    TEXT = "text"
    #: a duration rendered in the report's viewFormat unit (float)
    DURATION = "duration"
    #: a whole number: entries, transitions, issue counts
    COUNT = "count"
    #: a number that is neither (averages of counts, standard deviations of counts)
    NUMBER = "number"
    #: an instant, given as an aware datetime in the report's time zone
    DATE = "date"


class AggregateKind(StrEnum):
    """The aggregate tables, valued by their sheet names (SPEC §6)."""

    AVERAGE = "Average"
    SUM = "Sum"
    MEDIAN = "Median"
    STANDARD_DEVIATION = "Standard Deviation"


Cell = str | int | float | datetime | None

#: One column's cells: Python cells, or a Polars Series of the same cells (Utf8, Int64 or
#: Float64, null for an empty cell) that columnar writers take without a Python object per
#: cell; iterating the Series gives the Python cells.
CellColumn = Sequence[Cell] | pl.Series

#: A run of consecutive rows given as whole columns (one `CellColumn` per column).
Block = Sequence[CellColumn]

#: Rows per block when a sheet only streams rows (aggregates, Parameters).
BLOCK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Column:
    """A sheet column; `id` names what it shows for JSON answers (SPEC §8.2): `issuekey`,
    a field id, a status id, `a:b` for a pair of keys, a group's or metric's position.
    Not part of equality: sheets that show the same are equal whoever named the columns."""

    title: str
    kind: ColumnKind
    id: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: titled, typed columns and a re-callable row stream.

    `blocks`, when given, streams the same rows as whole columns (one block per staged
    batch), which columnar writers take without a Python row per issue.
    """

    name: str
    columns: Sequence[Column]
    rows: Callable[[], Iterator[Sequence[Cell]]]
    row_count: int
    blocks: Callable[[], Iterator[Block]] | None = None

    def column_blocks(self) -> Iterator[Block]:
        """The rows as blocks of whole columns, for consumers that take a column at a time:
        the staged blocks where there are any, otherwise the rows transposed `BLOCK_ROWS`
        at a time, so memory stays one block."""
        if self.blocks is not None:
            yield from self.blocks()
            return
        rows = self.rows()
        while chunk := list(islice(rows, BLOCK_ROWS)):
            yield list(zip(*chunk, strict=True))


@dataclass(frozen=True, slots=True)
class OpenVisit:
    """An issue's visit in progress at the report's end (SPEC §8.2 `currentState`): the
    column id it is a visit of, its time so far (rendered like the report's durations, and
    in milliseconds) and when it began (an instant, and epoch milliseconds)."""

    id: str
    value: Cell
    ms: int
    since: Cell
    since_ms: int


@dataclass(frozen=True, slots=True)
class ReportTable:
    """Everything a writer needs for one report.

    `listing` is the `List` sheet; `aggregates` holds one sheet per `AggregateKind` for
    numeric reports and is empty for date and expanded reports. `parameters` are
    (name, value) pairs for the Parameters sheet, `now` and the calendar included.
    `view_format` is the SPEC §3 viewFormat, so writers can choose number formats.
    """

    listing: Sheet
    aggregates: Mapping[AggregateKind, Sheet] = field(default_factory=dict)
    parameters: Sequence[tuple[str, str]] = ()
    view_format: str = "minutes"
