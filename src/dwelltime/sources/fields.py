"""Display values of issue fields, as a person reads them in a report column.

The promoted fields have fixed Jira ids and a column of their own (an `Issue` attribute of
the same name as the store's column); any other id is looked up in the issue's raw
`fields` JSON and rendered from the usual Jira value shapes (name/value/displayName
objects, lists of them, plain scalars). Every source renders through `display_columns`,
whole columns at a time, so the store and `batch_from_issues` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import polars as pl

#: How a promoted column reads: text as stored, an instant (epoch ms) to the second in
#: UTC, or a list of names joined with ", ".
Shape = Literal["text", "instant", "list"]

#: Promoted field id → (raw column, its shape).
PROMOTED: dict[str, tuple[str, Shape]] = {
    "key": ("key", "text"),
    "summary": ("summary", "text"),
    "issuetype": ("issue_type", "text"),
    "status": ("status_name", "text"),
    "priority": ("priority", "text"),
    "assignee": ("assignee_name", "text"),
    "reporter": ("reporter_name", "text"),
    "project": ("project_key", "text"),
    "created": ("created_ms", "instant"),
    "updated": ("updated_ms", "instant"),
    "resolutiondate": ("resolution_date_ms", "instant"),
    "resolution": ("resolution", "text"),
    "labels": ("labels", "list"),
    "components": ("components", "list"),
    "fixVersions": ("fix_versions", "list"),
    "sprint": ("sprints", "list"),  # the sprint names, in sprint id order
}

RAW_TYPES: dict[Shape, pl.DataType] = {
    "text": pl.Utf8(),
    "instant": pl.Int64(),
    "list": pl.List(pl.Utf8),
}

INSTANT_FORMAT = "%Y-%m-%d %H:%M:%S"

#: The raw values of a custom field, one per issue in batch order.
CustomValues = Callable[[str], Sequence[Any]]


def raw_columns(fields: Sequence[str]) -> dict[str, pl.DataType]:
    """The raw columns (and their types) that the promoted fields among `fields` read."""
    return {
        PROMOTED[field_id][0]: RAW_TYPES[PROMOTED[field_id][1]]
        for field_id in fields
        if field_id in PROMOTED
    }


def has_custom(fields: Sequence[str]) -> bool:
    """Whether any of `fields` is read from the raw `fields` JSON."""
    return any(field_id not in PROMOTED for field_id in fields)


def display_columns(
    raw: pl.DataFrame, fields: Sequence[str], custom: CustomValues, names: Callable[[str], str]
) -> list[pl.Series]:
    """One Utf8 series per field of `fields` (named by `names`), null when empty.

    `raw` holds `raw_columns(fields)`; `custom` gives a custom field's raw values. Only
    custom fields are rendered value by value (their shapes vary per value).
    """
    series = []
    for field_id in fields:
        promoted = PROMOTED.get(field_id)
        if promoted is None:
            values = [render_json_value(value) for value in custom(field_id)]
            series.append(pl.Series(names(field_id), values, pl.Utf8))
        else:
            column, shape = promoted
            series.append(raw.select(_display(column, shape).alias(names(field_id))).to_series())
    return series


def _display(column: str, shape: Shape) -> pl.Expr:
    value = pl.col(column)
    if shape == "instant":
        return pl.from_epoch(value, "ms").dt.strftime(INSTANT_FORMAT)
    if shape == "list":
        return pl.when(value.list.len() > 0).then(value.list.join(", "))
    return value


def render_json_value(value: Any) -> str | None:
    """A raw Jira field value as text: objects by their name, lists joined."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        parts = [part for part in (render_json_value(item) for item in value) if part]
        return ", ".join(parts) if parts else None
    if isinstance(value, dict):
        for key in ("displayName", "name", "value", "key", "id"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
