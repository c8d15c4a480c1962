"""`IssueBatch`es read straight from the store's tables for a list of issue ids.

Only what the selection asks for is read, as whole columns (`frames.read_frame`): the
issue header, the raw columns of the requested promoted fields, the sprint names only
when `sprint` is shown, the `fields` JSON only when a custom field is, and the change
items of `Selection.change_fields` only. Display values go through `sources.fields`, so
they match `batch_from_issues` exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import ISSUE_COLUMNS, IssueBatch, field_column
from dwelltime.domain.selection import Selection
from dwelltime.sources.fields import display_columns, has_custom, raw_columns
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
_FIELDS_JSON = "fields"

_ISSUES_FROM = "FROM issues WHERE id IN ({ids})"
_SPRINTS_FROM = """
FROM issue_sprints l JOIN sprints s ON s.id = l.sprint_id WHERE l.issue_id IN ({ids})
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
    ndjson: bool | None = None,
) -> IssueBatch:
    """The batch of `ids` (in that order) with what `selection` asks for.

    `ndjson` forces a read path (tests); by default the database's fastest.
    """
    fields = selection.fields
    raw_types = raw_columns(fields)
    columns: dict[str, tuple[str, pl.DataType | type[pl.DataType]]] = {
        name: (sql, ISSUE_COLUMNS[name]) for name, sql in _HEADER.items()
    }
    for name, dtype in raw_types.items():
        if name != _SPRINTS:
            stored = pl.Utf8 if isinstance(dtype, pl.List) else dtype  # JSON array text
            columns[_RAW + name] = (name, stored)
    if has_custom(fields):
        columns[_RAW + _FIELDS_JSON] = (_FIELDS_JSON, pl.Utf8)
    found = read_frame(connection, columns, _ISSUES_FROM, ids, ndjson=ndjson)
    order = pl.DataFrame({"issue_id": ids}, schema={"issue_id": pl.Int64})
    frame = order.join(found, on="issue_id", how="left", maintain_order="left")
    if _SPRINTS in raw_types:
        names = _sprint_names(connection, ids, ndjson)
        frame = frame.join(names, on="issue_id", how="left", maintain_order="left")
    raw = frame.select(
        _raw_column(name, dtype, name == _SPRINTS) for name, dtype in raw_types.items()
    )
    shown = display_columns(raw, fields, _custom_values(frame), field_column)
    issues = frame.select(list(ISSUE_COLUMNS)).with_columns(shown)
    changes = read_changes(connection, ids, selection.change_fields, ndjson=ndjson)
    return IssueBatch(issues=issues, changes=changes)


def _raw_column(name: str, dtype: pl.DataType, joined: bool) -> pl.Expr:
    if joined:  # the sprint names, an empty list for an issue in no sprint
        return pl.col(_RAW + name).fill_null(pl.lit([], dtype)).alias(name)
    if isinstance(dtype, pl.List):
        return pl.col(_RAW + name).str.json_decode(dtype).alias(name)
    return pl.col(_RAW + name).alias(name)


def _sprint_names(
    connection: sa.Connection, ids: Sequence[int], ndjson: bool | None
) -> pl.DataFrame:
    links = read_frame(connection, _SPRINT_COLUMNS, _SPRINTS_FROM, ids, ndjson=ndjson)
    return (
        links.sort("issue_id", "sprint_id")
        .group_by("issue_id", maintain_order=True)
        .agg(pl.col("name").alias(_RAW + _SPRINTS))
    )


def _custom_values(frame: pl.DataFrame) -> Callable[[str], list[Any]]:
    """Custom fields' raw values, the `fields` JSON of each issue decoded once on first use."""
    decoded: list[dict[str, Any]] = []

    def values(field_id: str) -> list[Any]:
        if not decoded:
            decoded.extend(json.loads(text) for text in frame[_RAW + _FIELDS_JSON])
        return [fields.get(field_id) for fields in decoded]

    return values
