"""`IssueBatch`es read straight from the store's tables for a list of issue ids.

Only what the selection asks for is read, as whole columns (`frames.read_frame`): the
issue header, the raw columns of the requested promoted fields (shown, or read as
`Selection.value_fields` values with their ids), the sprints only when `sprint` is asked
for, the `fields` JSON only when a custom field is, and the change items of
`Selection.change_fields` only (their authors only with `Selection.change_authors`).
Display values and current values go through `sources.fields`, so they match
`batch_from_issues` exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import ISSUE_COLUMNS, IssueBatch, field_column, values_column
from dwelltime.domain.selection import Selection
from dwelltime.sources.fields import (
    SPRINT_VALUES,
    display_columns,
    has_custom,
    raw_columns,
    value_columns,
    value_raw_columns,
)
from dwelltime.sources.store.changes import read_changes
from dwelltime.sources.store.frames import Columns, read_frame

#: `ISSUE_COLUMNS` and the `issues` columns that fill them.
_HEADER = {
    "issue_id": "id",
    "key": "key",
    "created_ms": "created_ms",
    "status_id": "status_id",
    "assignee": "assignee_id",
    "assignee_name": "assignee_name",
}
_RAW = "raw:"  # prefix of the raw field columns while they share a frame with the header
_SPRINTS = "sprints"
_JOINED = frozenset({_SPRINTS, SPRINT_VALUES})  # raw columns read from the sprint links
_FIELDS_JSON = "fields"

_ISSUES_FROM = "FROM issues WHERE {ids}"
_SPRINTS_FROM = """
FROM issue_sprints l JOIN sprints s ON s.id = l.sprint_id WHERE {ids}
"""
_SPRINT_COLUMNS: Columns = {
    "issue_id": ("l.issue_id", pl.Int64),
    "sprint_id": ("s.id", pl.Int64),
    "name": ("s.name", pl.Utf8),
}


def read_batch(
    connection: sa.Connection,
    ids: Sequence[int],
    selection: Selection,
    *,
    packed: bool | None = None,
) -> IssueBatch:
    """The batch of `ids` (in that order) with what `selection` asks for.

    `packed` forces a read path of the issue rows (tests); by default the database's
    fastest. Changes are read from their tracks (`changes.read_changes`).
    """
    fields, value_fields = selection.fields, selection.value_fields
    raw_types = raw_columns(fields) | value_raw_columns(value_fields)
    columns: dict[str, tuple[str, pl.DataType | type[pl.DataType]]] = {
        name: (sql, ISSUE_COLUMNS[name]) for name, sql in _HEADER.items()
    }
    for name, dtype in raw_types.items():
        if name not in _JOINED:
            stored = pl.Utf8 if isinstance(dtype, pl.List) else dtype  # JSON array text
            columns[_RAW + name] = (name, stored)
    if has_custom(fields) or has_custom(value_fields):
        columns[_RAW + _FIELDS_JSON] = (_FIELDS_JSON, pl.Utf8)
    found = read_frame(connection, columns, _ISSUES_FROM, "id", ids, packed=packed)
    order = pl.DataFrame({"issue_id": ids}, schema={"issue_id": pl.Int64})
    frame = order.join(found, on="issue_id", how="left", maintain_order="left")
    if _JOINED.intersection(raw_types):
        sprints = _sprints(connection, ids, packed)
        frame = frame.join(sprints, on="issue_id", how="left", maintain_order="left")
    raw = frame.select(
        _raw_column(name, dtype, name in _JOINED) for name, dtype in raw_types.items()
    )
    custom = _custom_values(frame)
    shown = display_columns(raw, fields, custom, field_column)
    values = value_columns(raw, len(ids), value_fields, custom, values_column)
    # One query (Polars' set-up per query is most of a page's batch at 100 issues).
    issues = (
        frame.lazy()
        .select(list(ISSUE_COLUMNS))
        .with_columns(shown + values)
        .collect(engine="in-memory")
    )
    changes = read_changes(
        connection, ids, selection.change_fields, authors=selection.change_authors
    )
    return IssueBatch(issues=issues, changes=changes)


def _raw_column(name: str, dtype: pl.DataType, joined: bool) -> pl.Expr:
    if joined:  # the sprints (names, or values), an empty list for an issue in no sprint
        return pl.col(_RAW + name).fill_null(pl.lit([], dtype)).alias(name)
    if isinstance(dtype, pl.List):
        return pl.col(_RAW + name).str.json_decode(dtype).alias(name)
    return pl.col(_RAW + name).alias(name)


def _sprints(connection: sa.Connection, ids: Sequence[int], packed: bool | None) -> pl.DataFrame:
    """Per issue in a sprint, its sprints in sprint id order: their names (`sprints`) and
    their (id, name) values (`sprint_values`)."""
    links = read_frame(connection, _SPRINT_COLUMNS, _SPRINTS_FROM, "l.issue_id", ids, packed=packed)
    return (
        links.sort("issue_id", "sprint_id")
        .group_by("issue_id", maintain_order=True)
        .agg(
            pl.col("name").alias(_RAW + _SPRINTS),
            pl.struct(pl.col("sprint_id").cast(pl.Utf8).alias("id"), "name").alias(
                _RAW + SPRINT_VALUES
            ),
        )
    )


def _custom_values(frame: pl.DataFrame) -> Callable[[str], list[Any]]:
    """Custom fields' raw values, the `fields` JSON of each issue decoded once on first use."""
    decoded: list[dict[str, Any]] = []

    def values(field_id: str) -> list[Any]:
        if not decoded:
            decoded.extend(json.loads(text) for text in frame[_RAW + _FIELDS_JSON])
        return [fields.get(field_id) for fields in decoded]

    return values
