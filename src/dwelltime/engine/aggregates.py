"""The Average, Sum, Median and Standard Deviation sheets, computed with polars from the
staged long-form cells (docs/reports.md, "Aggregates")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import polars as pl

from dwelltime.engine.field_titles import field_title
from dwelltime.engine.layout import ValueColumn
from dwelltime.engine.render import Renderer
from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind, Sheet
from dwelltime.issue_batch import field_column
from dwelltime.params import AverageDenominator

_STATS = {
    AggregateKind.AVERAGE: "mean",
    AggregateKind.SUM: "sum",
    AggregateKind.MEDIAN: "median",
    AggregateKind.STANDARD_DEVIATION: "std",
}


def _stats(denominator: AverageDenominator) -> list[pl.Expr]:
    """Per (group, column) statistics of the non-empty values, `n` = issues of the group."""
    value = pl.col("value")
    if denominator is AverageDenominator.NON_NULL:
        return [
            value.sum().alias("sum"),
            value.mean().alias("mean"),
            value.median().alias("median"),
            value.std(ddof=0).alias("std"),
        ]
    # `all`: the group's issues without a value count as zeros; values are never negative,
    # so the zeros sort first and the median is read around them.
    n = pl.col("n").first().cast(pl.Int64)
    zeros = n - pl.len().cast(pl.Int64)
    mean = value.sum() / n

    def at(position: pl.Expr) -> pl.Expr:
        return (
            pl.when(position < zeros)
            .then(0.0)
            .otherwise(value.sort().gather((position - zeros).clip(0)).first())
        )

    squares = ((value - mean) ** 2).sum() + zeros * mean**2
    return [
        value.sum().alias("sum"),
        mean.alias("mean"),
        ((at((n - 1) // 2) + at(n // 2)) / 2).alias("median"),
        (squares / n).sqrt().alias("std"),
    ]


def aggregate_sheets(
    cells: pl.LazyFrame,
    issues: pl.LazyFrame,
    group_by: Sequence[str],
    columns: Sequence[ValueColumn],
    denominator: AverageDenominator,
    renderer: Renderer,
) -> dict[AggregateKind, Sheet]:
    """One sheet per aggregate: a row per group-by combination, sorted, empty last."""
    keys = [field_column(field_id) for field_id in group_by]
    groups = issues.group_by(keys).agg(pl.len().alias("n")) if keys else issues.select(n=pl.len())
    group_rows = groups.sort(keys, nulls_last=True).collect() if keys else groups.collect()
    if keys:
        joined = cells.join(issues.select("seq", *keys), on="seq").join(
            groups, on=keys, nulls_equal=True
        )
    else:
        joined = cells.join(groups, how="cross")
    stats = (
        joined.filter(pl.col("value").is_not_null())
        .group_by(*keys, "a", "b")
        .agg(*_stats(denominator))
        .collect(engine="streaming")
    )
    lookup: dict[tuple[object, ...], dict[str, float | None]] = {
        tuple(row[name] for name in (*keys, "a", "b")): row for row in stats.iter_rows(named=True)
    }
    all_issues = denominator is AverageDenominator.ALL
    titles = [Column(field_title(f), ColumnKind.TEXT) for f in group_by]
    sheets = {}
    for kind, stat in _STATS.items():

        def rows(stat: str = stat, kind: AggregateKind = kind) -> Iterator[Sequence[Cell]]:
            for group in group_rows.iter_rows(named=True):
                values = [group[name] for name in keys]
                row: list[Cell] = [*values, group["n"]]
                for column in columns:
                    found = lookup.get((*values, *column.key))
                    value = found[stat] if found else None
                    if value is None and all_issues and group["n"] and kind is not _SUM:
                        value = 0.0
                    row.append(renderer.cell(_aggregate_kind(column.kind, kind), value))
                yield row

        header = [
            *titles,
            Column("Issue Count", ColumnKind.COUNT),
            *(Column(c.title, _aggregate_kind(c.kind, kind)) for c in columns),
        ]
        sheets[kind] = Sheet(kind.value, header, rows, group_rows.height)
    return sheets


_SUM = AggregateKind.SUM


def _aggregate_kind(column: ColumnKind, aggregate: AggregateKind) -> ColumnKind:
    """Counts stay counts only in the Sum sheet; their averages and spreads are numbers."""
    if column is ColumnKind.COUNT and aggregate is not _SUM:
        return ColumnKind.NUMBER
    return column
