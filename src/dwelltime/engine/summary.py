"""A finished report in a few numbers, for the page's summary view: the Average and Median
rows of the aggregate sheets and a histogram of per-issue totals.

It reads the `ReportTable` the writers got, so the numbers are exactly the file's; the
statistics are never computed a second way here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from dwelltime.engine.table import AggregateKind, Block, Cell, CellColumn, ReportTable, Sheet

#: Bars of the per-issue totals histogram: enough to see a long tail, few enough to label.
HISTOGRAM_BINS = 12

Summary = dict[str, Any]


def _number(cell: Cell) -> float | None:
    return float(cell) if isinstance(cell, int | float) and not isinstance(cell, bool) else None


def _numbers(cells: CellColumn) -> NDArray[np.float64]:
    """The cells as floats, NaN where a cell holds no number."""
    if isinstance(cells, pl.Series) and cells.dtype.is_numeric():
        # Polars gives a numeric column's nulls as NaN: one conversion, not three.
        return np.asarray(cells.to_numpy(), dtype=np.float64)
    types = set(map(type, cells))
    if types <= {int, float, type(None)}:
        return pl.Series(cells, dtype=pl.Float64).fill_null(math.nan).to_numpy()
    return np.fromiter(
        (n if (n := _number(cell)) is not None else math.nan for cell in cells),
        dtype=np.float64,
        count=len(cells),
    )


def block_totals(block: Block, width: int) -> NDArray[np.float64]:
    """The sum of the last `width` cells of each row of `block` that has a number there.

    Column by column, as the CSV writer reads a block: a row at a time, a million issues
    spent seconds of a split export's serial merge here.
    """
    values = np.column_stack([_numbers(cells) for cells in block[-width:]])
    present = values[~np.isnan(values).all(axis=1)]
    totals: NDArray[np.float64] = np.nansum(present, axis=1)
    return totals


def teed_totals(
    blocks: Iterable[Block], width: int, totals: list[NDArray[np.float64]]
) -> Iterator[Block]:
    """`blocks`, each one's `block_totals` appended to `totals` on the way (none when
    `width` is 0): the writer's pass over the List is the histogram's too, where a
    second pass would read and pivot every staged batch again."""
    for block in blocks:
        if width:
            totals.append(block_totals(block, width))
        yield block


def _issue_totals(listing: Sheet, width: int) -> NDArray[np.float64]:
    return np.concatenate(
        [np.empty(0), *(block_totals(block, width) for block in listing.column_blocks())]
    )


def value_width(table: ReportTable) -> int:
    """How many value columns the histogram adds up (0: the report has no summary)."""
    average = table.aggregates.get(AggregateKind.AVERAGE)
    if average is None:
        return 0
    titles = [column.title for column in average.columns]
    return len(titles) - titles.index("Issue Count") - 1


def _histogram(totals: NDArray[np.float64]) -> list[dict[str, float | int]]:
    if not totals.size:
        return []
    top = float(totals.max())
    if top <= 0:
        return [{"from": 0.0, "to": 0.0, "count": int(totals.size)}]
    counts, edges = np.histogram(totals, bins=HISTOGRAM_BINS, range=(0.0, top))
    return [
        {"from": round(float(low), 2), "to": round(float(high), 2), "count": int(count)}
        for low, high, count in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def summarize(
    table: ReportTable,
    unit: str,
    *,
    totals: NDArray[np.float64] | None = None,
    issue_count: int | None = None,
) -> Summary | None:
    """The summary of a numeric report, None for date and expanded reports (no aggregates).

    `unit` names what the numbers are in (the viewFormat, or the numeric one used in its
    place for humanReadable). Each group-by row is one entry of `groups`; the histogram
    counts issues by the sum of their value cells (time in all columns, or all entries).
    `totals` (`block_totals` of every List row) and `issue_count` stand for the listing's
    when given: a split export's merge has them from its chunks, not the rows.
    """
    average = table.aggregates.get(AggregateKind.AVERAGE)
    median = table.aggregates.get(AggregateKind.MEDIAN)
    if average is None or median is None:
        return None
    count_at = [column.title for column in average.columns].index("Issue Count")
    values = [column.title for column in average.columns[count_at + 1 :]]
    groups = []
    for mean_row, median_row in zip(average.rows(), median.rows(), strict=True):
        groups.append(
            {
                "groupBy": [None if cell is None else str(cell) for cell in mean_row[:count_at]],
                "issueCount": int(_number(mean_row[count_at]) or 0),
                "average": [_number(cell) for cell in mean_row[count_at + 1 :]],
                "median": [_number(cell) for cell in median_row[count_at + 1 :]],
            }
        )
    if totals is None:
        totals = _issue_totals(table.listing, len(values)) if values else np.empty(0)
    return {
        "unit": unit,
        "groupByFields": [column.title for column in average.columns[:count_at]],
        "columns": values,
        "groups": groups,
        "issueCount": table.listing.row_count if issue_count is None else issue_count,
        "totals": {"issues": int(totals.size), "bins": _histogram(totals)},
    }
