"""The Average, Sum, Median and Standard Deviation sheets, computed with polars from the
staged long-form cells (docs/reports.md, "Aggregates")."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial

import polars as pl

from dwelltime.domain.issue_batch import field_column
from dwelltime.engine.output.column_shares import column_shares, united_shares
from dwelltime.engine.output.columns import ValueColumn, placed_cells
from dwelltime.engine.output.field_titles import DURATION_FIELDS, field_kind, field_title
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.output.statistics import Ints, segment_statistics
from dwelltime.engine.staging import Staging
from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind, Sheet
from dwelltime.params.model import AverageDenominator

_STATS = {
    AggregateKind.AVERAGE: "mean",
    AggregateKind.SUM: "sum",
    AggregateKind.MEDIAN: "median",
    AggregateKind.STANDARD_DEVIATION: "std",
}


@dataclass(frozen=True)
class AggregateInputs:
    """What the aggregate sheets are computed from: the group-by combinations in sheet
    order (`group`, the keys, `n` issues), and every non-empty value cell as numbers
    (`group`, `column`, `value`), read only when a sheet's rows are first read, as frames
    each holding every cell of some value columns (`column_shares`).

    A chunk of a split export keeps its own (`of_staging`); the merge combines them
    (`merged`), and the statistics run once over all the cells, so every aggregate is
    the unsplit report's to the last digit.
    """

    groups: pl.DataFrame
    cells: Callable[[], Iterator[pl.DataFrame]]

    @classmethod
    def of_staging(
        cls, staging: Staging, group_by: Sequence[str], columns: Sequence[ValueColumn]
    ) -> AggregateInputs:
        keys = [field_column(field_id) for field_id in group_by]
        issues = staging.scan("issues")
        if keys:
            counted = issues.group_by(keys).agg(pl.len().alias("n"))
        else:
            counted = issues.select(n=pl.len())
        groups = _ranked(counted.collect(engine="streaming"), keys)
        # The cells' numbers are what grows with the issue count (never read for a
        # List-only file without a summary): read afresh, spilled beside the staging.
        return cls(
            groups,
            lambda: column_shares(_compact_cells(staging, columns, keys, groups), staging.folder),
        )

    @classmethod
    def merged(cls, parts: Sequence[AggregateInputs], group_by: Sequence[str]) -> AggregateInputs:
        """The inputs of every part's issues: group counts added up, cells renumbered; each
        part gives its cells share by share (`united_shares`)."""
        keys = [field_column(field_id) for field_id in group_by]
        counts = pl.concat([part.groups.drop("group") for part in parts], how="vertical_relaxed")
        if keys:
            counts = counts.group_by(keys).agg(pl.col("n").sum())
        else:
            counts = counts.select(pl.col("n").sum())
        groups = _ranked(counts, keys)

        def renumbered(part: AggregateInputs) -> Iterator[pl.DataFrame]:
            if not keys:  # one group in every part: nothing to renumber
                yield from part.cells()
                return
            mapping = part.groups.join(groups, on=keys, nulls_equal=True, suffix="_all").select(
                "group", "group_all"
            )
            for cells in part.cells():
                yield cells.join(mapping, on="group").select(
                    group="group_all", column="column", value="value"
                )

        return cls(groups, lambda: united_shares([renumbered(part) for part in parts]))


def _ranked(counted: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Group counts in sheet order (sorted, empty last), numbered by `group`."""
    if keys:
        counted = counted.sort(keys, nulls_last=True)
    return counted.with_columns(pl.col("n").cast(pl.UInt32)).with_row_index("group")


def _compact_cells(
    staging: Staging, columns: Sequence[ValueColumn], keys: list[str], groups: pl.DataFrame
) -> Iterator[pl.DataFrame]:
    """Every non-empty cell as (group, column, value) numbers, a batch at a time, so the
    statistics run over a few numbers per cell instead of the staged strings."""
    for index in range(staging.count()):
        staged = staging.load(index)
        cells = placed_cells(staged.cells.filter(pl.col("value").is_not_null()), columns).select(
            "seq", "column", "value"
        )
        if keys:
            issue_groups = staged.issues.select("seq", *keys).join(
                groups.select(*keys, "group"), on=keys, nulls_equal=True
            )
            cells = cells.join(issue_groups.select("seq", "group"), on="seq")
        else:
            cells = cells.with_columns(group=pl.lit(0, pl.UInt32))
        yield cells.select("group", "column", "value")


def aggregate_sheets(
    inputs: AggregateInputs,
    group_by: Sequence[str],
    columns: Sequence[ValueColumn],
    denominator: AverageDenominator,
    renderer: Renderer,
) -> dict[AggregateKind, Sheet]:
    """One sheet per aggregate: a row per group-by combination, sorted, empty last."""
    keys = [field_column(field_id) for field_id in group_by]
    group_rows = inputs.groups
    width = max(len(columns), 1)
    all_issues = denominator is AverageDenominator.ALL

    @cache
    def found() -> dict[int, dict[str, float | None]]:
        group_sizes = group_rows["n"].cast(pl.Int64).to_numpy()
        sizes = (lambda keys: group_sizes[keys // width]) if all_issues else None
        statistics: dict[int, dict[str, float | None]] = {}
        # A share of the cells at a time: each holds whole columns, so whole segments.
        for share in map(partial(_share_statistics, width=width, sizes_of=sizes), inputs.cells()):
            statistics.update(share)
        return statistics

    titles = [Column(field_title(f), field_kind(f, renderer.duration_kind), f) for f in group_by]
    durations = [f in DURATION_FIELDS for f in group_by]
    sheets = {}
    for kind, stat in _STATS.items():

        def rows(stat: str = stat, kind: AggregateKind = kind) -> Iterator[Sequence[Cell]]:
            for group in group_rows.iter_rows(named=True):
                row: list[Cell] = [
                    renderer.duration(group[name]) if duration else group[name]
                    for name, duration in zip(keys, durations, strict=True)
                ]
                row.append(group["n"])
                for position, column in enumerate(columns):
                    values = found().get(group["group"] * width + position)
                    value = values[stat] if values else None
                    if value is None and all_issues and group["n"] and kind is not _SUM:
                        value = 0.0
                    row.append(renderer.cell(_aggregate_kind(column.kind, kind), value))
                yield row

        header = [
            *titles,
            Column("Issue Count", ColumnKind.COUNT, "issueCount"),
            *(Column(c.title, _aggregate_kind(c.kind, kind), c.id) for c in columns),
        ]
        sheets[kind] = Sheet(kind.value, header, rows, group_rows.height)
    return sheets


_SUM = AggregateKind.SUM


def _share_statistics(
    cells: pl.DataFrame, width: int, sizes_of: Callable[[Ints], Ints] | None
) -> dict[int, dict[str, float | None]]:
    """The statistics of each (group, column) segment in `cells`, keyed group·width+column."""
    segment = cells["group"].cast(pl.Int64).to_numpy() * width + cells["column"].to_numpy()
    values = cells["value"].to_numpy()
    del cells  # the frame's other columns are not needed while the values are sorted
    stats = segment_statistics(segment, values, sizes_of)
    return {
        int(key): {"sum": total, "mean": mean, "median": median, "std": std}
        for key, total, mean, median, std in zip(
            stats.keys.tolist(),
            stats.sums.tolist(),
            stats.means.tolist(),
            stats.medians.tolist(),
            stats.stds.tolist(),
            strict=True,
        )
    }


def _aggregate_kind(column: ColumnKind, aggregate: AggregateKind) -> ColumnKind:
    """Counts stay counts only in the Sum sheet; their averages and spreads are numbers."""
    if column is ColumnKind.COUNT and aggregate is not _SUM:
        return ColumnKind.NUMBER
    return column
