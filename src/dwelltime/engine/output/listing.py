"""The List sheet, streamed one staged batch at a time: the issue's fixed columns, then its
cells placed into the value columns (pivoted per batch, so memory is one batch)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import polars as pl

from dwelltime.domain.issue_batch import field_column
from dwelltime.engine.output.columns import ValueColumn, key_frame
from dwelltime.engine.output.field_titles import (
    DATE_FIELDS,
    SUMMARY,
    field_kind,
    field_title,
    list_fields,
)
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import StagedBatch, Staging
from dwelltime.engine.table import Block, Cell, Column, ColumnKind, Sheet


def fixed_columns(fields: Sequence[str]) -> list[Column]:
    return [
        Column("Key", ColumnKind.TEXT, "issuekey"),
        Column("Summary", ColumnKind.TEXT, SUMMARY),
        *(
            Column(field_title(field_id), field_kind(field_id), field_id)
            for field_id in list_fields(fields)
        ),
    ]


def _fixed_names(fields: Sequence[str]) -> list[str]:
    """The staged issue columns behind Key, Summary and the field columns."""
    return ["key", field_column(SUMMARY), *(field_column(f) for f in list_fields(fields))]


def _fixed_lists(
    issues: pl.DataFrame, fields: Sequence[str], renderer: Renderer
) -> list[list[Cell]]:
    """Key, Summary and field cells of a batch, column by column; date fields as dates."""
    lists: list[list[Cell]] = []
    for field_id, name in zip(
        ("key", SUMMARY, *list_fields(fields)), _fixed_names(fields), strict=True
    ):
        if field_id in DATE_FIELDS:
            instants = issues[name].str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC")
            lists.append([renderer.instant(ms) for ms in instants.dt.epoch("ms").to_list()])
        else:
            lists.append(issues[name].to_list())
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
) -> Sheet:
    """One row per issue in report order: fixed values, then one cell per value column.

    A batch is pivoted column by column (a join of the column's cells onto the batch's
    issues), and each column is rendered as a whole, so the Python work per cell is small.
    """
    keys = key_frame(columns)

    def blocks() -> Iterator[Block]:
        for index in range(staging.count()):
            staged = staging.load(index)
            order = staged.issues.select("seq")
            placed = staged.cells.join(keys, on=["a", "b"], nulls_equal=True)
            by_column = placed.partition_by("column", as_dict=True, include_key=False)
            lists = _fixed_lists(staged.issues, fields, renderer)
            for position, column in enumerate(columns):
                cells = by_column.get((position,))
                if cells is None:
                    lists.append([None] * order.height)
                    continue
                aligned = order.join(cells, on="seq", how="left", maintain_order="left")
                lists.append(renderer.column(column.kind, aligned["value"], aligned["text"]))
            yield lists

    def rows() -> Iterator[Sequence[Cell]]:
        for block in blocks():
            yield from zip(*block, strict=True)

    header = [*fixed_columns(fields), *(Column(c.title, c.kind, c.id) for c in columns)]
    return Sheet("List", header, rows, row_count, blocks)


def visit_sheet(
    staging: Staging,
    fields: Sequence[str],
    status_title: Callable[[str], str],
    renderer: Renderer,
    row_count: int,
) -> Sheet:
    """statusDurationExpanded: one row per visit, ordered by issue then entry."""

    def rows() -> Iterator[Sequence[Cell]]:
        for index in range(staging.count()):
            staged = staging.load(index)
            fixed = _fixed_values(staged, fields, renderer)
            visits = staged.cells.sort("seq", "entered", maintain_order=True)
            for seq, status, entered, left, value, by in visits.iter_rows():
                yield [
                    *fixed[seq],
                    status_title(status),
                    renderer.instant(entered),
                    renderer.instant(left),
                    renderer.duration(value),
                    by,
                ]

    header = [
        *fixed_columns(fields),
        Column("Status", ColumnKind.TEXT),
        Column("Entered", ColumnKind.DATE),
        Column("Left", ColumnKind.DATE),
        Column("Duration", renderer.duration_kind),
        Column("Transitioned By", ColumnKind.TEXT),
    ]
    return Sheet("List", header, rows, row_count)
