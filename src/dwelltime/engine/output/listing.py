"""The List sheet, streamed one staged batch at a time: the issue's fixed columns, then its
cells placed into the value columns (pivoted per batch, so memory is one batch)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from dwelltime.domain.issue_batch import field_column
from dwelltime.engine.output.columns import ValueColumn, placed_cells
from dwelltime.engine.output.field_titles import (
    DATE_FIELDS,
    DURATION_FIELDS,
    SUMMARY,
    field_kind,
    field_title,
    list_fields,
)
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import StagedBatch, Staging
from dwelltime.engine.table import Block, Cell, CellColumn, Column, ColumnKind, Sheet


def fixed_columns(fields: Sequence[str], renderer: Renderer) -> list[Column]:
    kind = renderer.duration_kind
    return [
        Column("Key", ColumnKind.TEXT, "issuekey"),
        Column("Summary", ColumnKind.TEXT, SUMMARY),
        *(
            Column(field_title(field_id), field_kind(field_id, kind), field_id)
            for field_id in list_fields(fields)
        ),
    ]


def _fixed_names(fields: Sequence[str]) -> list[str]:
    """The staged issue columns behind Key, Summary and the field columns."""
    return ["key", field_column(SUMMARY), *(field_column(f) for f in list_fields(fields))]


def _fixed_lists(
    issues: pl.DataFrame, fields: Sequence[str], renderer: Renderer
) -> list[CellColumn]:
    """Key, Summary and field cells of a batch, column by column; date fields as dates."""
    lists: list[CellColumn] = []
    for field_id, name in zip(
        ("key", SUMMARY, *list_fields(fields)), _fixed_names(fields), strict=True
    ):
        if field_id in DATE_FIELDS:
            instants = issues[name].str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC")
            lists.append([renderer.instant(ms) for ms in instants.dt.epoch("ms").to_list()])
        elif field_id in DURATION_FIELDS:
            lists.append(renderer.durations(issues[name]))
        else:
            lists.append(issues[name])
    return lists


def _fixed_values(
    staged: StagedBatch, fields: Sequence[str], renderer: Renderer
) -> dict[int, list[Cell]]:
    lists = _fixed_lists(staged.issues, fields, renderer)
    return {
        seq: list(cells) for seq, *cells in zip(staged.issues["seq"].to_list(), *lists, strict=True)
    }


@dataclass(frozen=True, slots=True)
class Placement:
    """A staged batch's cells placed into the value columns: each cell with its `column`
    and `row` (`placed`), those as grid coordinates (`at`), and where a cell is
    (`present`, a (column, row) grid)."""

    placed: pl.DataFrame
    at: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
    present: np.ndarray[Any, Any]

    @classmethod
    def of(cls, staged: StagedBatch, columns: Sequence[ValueColumn]) -> Placement:
        placed = _with_rows(placed_cells(staged.cells, columns), staged.issues["seq"])
        at = (placed["column"].to_numpy(), placed["row"].to_numpy())
        present = np.zeros((len(columns), staged.issues.height), dtype=bool)
        present[at] = True
        return cls(placed, at, present)


class Placements:
    """The last staged batch's `Placement`, kept for the next assembly of that batch: a
    JSON page reads its values, seconds and counts sheets in step, block by block, and
    placing the cells was most of each assembly's own work. One batch at a time, so an
    export's memory does not grow."""

    def __init__(self) -> None:
        self._last: tuple[Staging, int, tuple[Any, ...], Placement] | None = None

    def of(
        self, staging: Staging, index: int, staged: StagedBatch, columns: Sequence[ValueColumn]
    ) -> Placement:
        keys = tuple((column.key, column.aliases) for column in columns)
        last = self._last
        if last is not None and last[0] is staging and last[1] == index and last[2] == keys:
            return last[3]
        placement = Placement.of(staged, columns)
        self._last = (staging, index, keys, placement)
        return placement


def pivoted_sheet(
    staging: Staging,
    fields: Sequence[str],
    columns: Sequence[ValueColumn],
    renderer: Renderer,
    row_count: int,
    placements: Placements | None = None,
    *,
    measure: Literal["value", "count"] = "value",
) -> Sheet:
    """One row per issue in report order: fixed values, then one cell per value column.

    A batch's cells are given their issue's row by one join and laid into a grid of its
    value columns (a join per column cost a page of 100 issues more than its whole
    computation); the grid's durations are rendered at once, other kinds column by column,
    so the Python work per cell is small. `measure="count"` fills the value columns with
    the cells' staged `count` instead. `placements`: shared by the assemblies of one
    staging that are read in step.
    """
    placing = placements if placements is not None else Placements()

    any_duration = any(column.kind is ColumnKind.DURATION for column in columns)
    all_durations = all(column.kind is ColumnKind.DURATION for column in columns)

    def blocks() -> Iterator[Block]:
        for index in range(staging.count()):
            staged = staging.load(index)
            height = staged.issues.height
            placement = placing.of(staging, index, staged, columns)
            placed, at, present = placement.placed, placement.at, placement.present
            lists = _fixed_lists(staged.issues, fields, renderer)
            shape = (len(columns), height)
            if measure == "count":
                counts = _grid(placed["count"], at, shape)
                yield lists + [_counts(counts[j], present[j]) for j in range(len(columns))]
                continue
            # Rendered where a cell is, not over the whole (mostly empty) grid.
            durations = (
                _grid(placed["value"], at, shape, renderer.duration_grid) if any_duration else None
            )
            by_column = (
                {}
                if all_durations
                else placed.partition_by("column", as_dict=True, include_key=False)
            )
            for position, column in enumerate(columns):
                if not present[position].any():
                    lists.append([None] * height)
                elif durations is not None and column.kind is ColumnKind.DURATION:
                    lists.append(pl.Series(durations[position], nan_to_null=True))
                else:
                    cells = by_column[(position,)]
                    rows_at = cells["row"].to_numpy()
                    values = _scattered(cells["value"], rows_at, height)
                    texts = _scattered(cells["text"], rows_at, height)
                    lists.append(renderer.column(column.kind, values, texts))
            yield lists

    def rows() -> Iterator[Sequence[Cell]]:
        for block in blocks():
            yield from zip(*block, strict=True)

    kinds = [ColumnKind.COUNT if measure == "count" else c.kind for c in columns]
    values = [Column(c.title, kind, c.id) for c, kind in zip(columns, kinds, strict=True)]
    return Sheet("List", [*fixed_columns(fields, renderer), *values], rows, row_count, blocks)


def _with_rows(placed: pl.DataFrame, seqs: pl.Series) -> pl.DataFrame:
    """`placed` cells with the `row` of their issue in the batch whose issues are `seqs`:
    arithmetic when the batch's issues are numbered on one by one (as a batch is staged),
    else a join."""
    numbers = seqs.to_numpy()
    if len(numbers) and bool((np.diff(numbers) == 1).all()):
        row = (pl.col("seq") - int(numbers[0])).cast(pl.UInt32)
        return placed.with_columns(row.alias("row"))
    return placed.join(seqs.to_frame().with_row_index("row"), on="seq")


def _grid(
    values: pl.Series,
    at: tuple[np.ndarray[Any, Any], ...],
    shape: tuple[int, int],
    render: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]] | None = None,
) -> np.ndarray[Any, Any]:
    """`values` (rendered by `render`, if given) laid at `at` into a (column, row) grid of
    floats, NaN where no cell (or no value) is."""
    grid = np.full(shape, np.nan)
    numbers = values.cast(pl.Float64).to_numpy()
    grid[at] = numbers if render is None else render(numbers)
    return grid


def _counts(counts: np.ndarray[Any, Any], present: np.ndarray[Any, Any]) -> list[Cell]:
    """A grid row of counts as cells: None where no cell (or no count) is."""
    return [
        int(count) if here and count == count else None
        for count, here in zip(counts.tolist(), present.tolist(), strict=True)
    ]


def _scattered(values: pl.Series, at: np.ndarray[Any, Any], height: int) -> pl.Series:
    """`values` placed at rows `at` of an otherwise empty column of `height` rows."""
    return pl.Series(values.name, [None] * height, dtype=values.dtype).scatter(at, values)


@dataclass(frozen=True, slots=True)
class VisitLabels:
    """What names a visit row of an expanded report: the label columns (Status, or Field
    and Value), their cells for a staged (a, b), and the rank that orders rows entered at
    one instant (None: staged order)."""

    columns: Sequence[Column]
    cells: Callable[[str, str | None], Sequence[Cell]]
    by_title: str
    rank: pl.DataFrame | None = None


def visit_sheet(
    staging: Staging,
    fields: Sequence[str],
    labels: VisitLabels,
    renderer: Renderer,
    row_count: int,
) -> Sheet:
    """The expanded reports: one row per visit (or stay), ordered by issue then entry."""

    def rows() -> Iterator[Sequence[Cell]]:
        for index in range(staging.count()):
            staged = staging.load(index)
            fixed = _fixed_values(staged, fields, renderer)
            visits = staged.cells
            if labels.rank is None:
                visits = visits.sort("seq", "entered", maintain_order=True)
            else:
                ranked = visits.join(
                    labels.rank, on=["a", "b"], nulls_equal=True, maintain_order="left"
                )
                visits = ranked.sort("seq", "entered", "rank", maintain_order=True)
            for seq, a, b, entered, left, value, by in visits.select(
                "seq", "a", "b", "entered", "left", "value", "text"
            ).iter_rows():
                yield [
                    *fixed[seq],
                    *labels.cells(a, b),
                    renderer.instant(entered),
                    renderer.instant(left),
                    renderer.duration(value),
                    by,
                ]

    header = [
        *fixed_columns(fields, renderer),
        *labels.columns,
        Column("Entered", ColumnKind.DATE),
        Column("Left", ColumnKind.DATE),
        Column("Duration", renderer.duration_kind),
        Column(labels.by_title, ColumnKind.TEXT),
    ]
    return Sheet("List", header, rows, row_count)
