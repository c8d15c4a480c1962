"""A finished report in a few numbers, for the page's summary view: the Average and Median
rows of the aggregate sheets and a histogram of per-issue totals.

It reads the `ReportTable` the writers got, so the numbers are exactly the file's; the
statistics are never computed a second way here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dwelltime.engine.table import AggregateKind, Cell, ReportTable

#: Bars of the per-issue totals histogram: enough to see a long tail, few enough to label.
HISTOGRAM_BINS = 12

Summary = dict[str, Any]


def _number(cell: Cell) -> float | None:
    return float(cell) if isinstance(cell, int | float) and not isinstance(cell, bool) else None


def _histogram(totals: Sequence[float]) -> list[dict[str, float | int]]:
    if not totals:
        return []
    values = np.asarray(totals, dtype=np.float64)
    top = float(values.max())
    if top <= 0:
        return [{"from": 0.0, "to": 0.0, "count": len(totals)}]
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS, range=(0.0, top))
    return [
        {"from": round(float(low), 2), "to": round(float(high), 2), "count": int(count)}
        for low, high, count in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def summarize(table: ReportTable, unit: str) -> Summary | None:
    """The summary of a numeric report, None for date and expanded reports (no aggregates).

    `unit` names what the numbers are in (the viewFormat, or the numeric one used in its
    place for humanReadable). Each group-by row is one entry of `groups`; the histogram
    counts issues by the sum of their value cells (time in all columns, or all entries).
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
    width = len(values)
    totals: list[float] = []
    if width:
        for row in table.listing.rows():
            numbers = [_number(cell) for cell in row[-width:]]
            present = [number for number in numbers if number is not None]
            if present:
                totals.append(math.fsum(present))
    return {
        "unit": unit,
        "groupByFields": [column.title for column in average.columns[:count_at]],
        "columns": values,
        "groups": groups,
        "issueCount": table.listing.row_count,
        "totals": {"issues": len(totals), "bins": _histogram(totals)},
    }
