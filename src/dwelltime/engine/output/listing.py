"""The List sheet, streamed one staged batch at a time: the issue's fixed columns, then its
cells placed into the value columns (pivoted per batch, so memory is one batch)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

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


def pivoted_sheet(
    staging: Staging,
    fields: Sequence[str],
    columns: Sequence[ValueColumn],
    renderer: Renderer,
    row_count: int,
    *,
    measure: Literal["value", "count"] = "value",
) -> Sheet:
    """One row per issue in report order: fixed values, then one cell per value column.

    A batch is pivoted column by column (a join of the column's cells onto the batch's
    issues), and each column is rendered as a whole, so the Python work per cell is small.
    `measure="count"` fills the value columns with the cells' staged `count` instead.
    """

    def blocks() -> Iterator[Block]:
        for index in range(staging.count()):
            staged = staging.load(index)
            order = staged.issues.select("seq")
            placed = placed_cells(staged.cells, columns)
            by_column = placed.partition_by("column", as_dict=True, include_key=False)
            lists = _fixed_lists(staged.issues, fields, renderer)
            for position, column in enumerate(columns):
                cells = by_column.get((position,))
                if cells is None:
                    lists.append([None] * order.height)
                    continue
                aligned = order.join(cells, on="seq", how="left", maintain_order="left")
                if measure == "count":
                    lists.append(aligned["count"].cast(pl.Int64).to_list())
                else:
                    lists.append(renderer.column(column.kind, aligned["value"], aligned["text"]))
            yield lists

    def rows() -> Iterator[Sequence[Cell]]:
        for block in blocks():
            yield from zip(*block, strict=True)

    kinds = [ColumnKind.COUNT if measure == "count" else c.kind for c in columns]
    values = [Column(c.title, kind, c.id) for c, kind in zip(columns, kinds, strict=True)]
    return Sheet("List", [*fixed_columns(fields, renderer), *values], rows, row_count, blocks)


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
