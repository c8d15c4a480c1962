"""The summary's histogram of per-issue totals, whichever way the List sheet streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from dwelltime.engine.summary import summarize
from dwelltime.engine.table import (
    AggregateKind,
    Block,
    Cell,
    Column,
    ColumnKind,
    ReportTable,
    Sheet,
)

COLUMNS = [
    Column("Key", ColumnKind.TEXT),
    *(Column(title, ColumnKind.NUMBER) for title in ("Open", "Done", "Closed")),
]
ROWS: list[list[Cell]] = [
    ["A-1", 1.5, None, 2],
    ["A-2", None, None, None],  # no number: not an issue of the histogram
    ["A-3", "text", 3.0, 0],
    ["A-4", 0, 0.0, None],
    ["A-5", 10.25, 4, 1.25],
]


def _sheet(name: str, columns: Sequence[Column], rows: list[list[Cell]], blocks: bool) -> Sheet:
    def blocked() -> Iterator[Block]:
        for first in range(0, len(rows), 2):
            yield list(zip(*rows[first : first + 2], strict=True))

    return Sheet(name, columns, lambda: iter(rows), len(rows), blocked if blocks else None)


def _aggregate() -> Sheet:
    columns = [Column("Issue Count", ColumnKind.NUMBER), *COLUMNS[1:]]
    return _sheet("Average", columns, [[5, 1.0, 2.0, 3.0]], blocks=False)


@pytest.mark.parametrize("blocks", [True, False], ids=["blocks", "rows"])
def test_totals_sum_the_numbers_of_each_row(blocks: bool) -> None:
    table = ReportTable(
        listing=_sheet("List", COLUMNS, ROWS, blocks),
        aggregates={AggregateKind.AVERAGE: _aggregate(), AggregateKind.MEDIAN: _aggregate()},
    )
    summary = summarize(table, "hours")
    assert summary is not None
    bins = summary["totals"]["bins"]
    assert summary["totals"]["issues"] == 4
    assert bins[0]["from"] == 0 and bins[-1]["to"] == 15.5
    # Totals 3.5, 3.0, 0.0 and 15.5 over twelve bins of 15.5 / 12.
    assert [b["count"] for b in bins] == [1, 0, 2, *[0] * 8, 1]
