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

from dwelltime.domain.issue_batch import FIELD_VALUES

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


#: One value of a field as the any-field reports identify it: (id or None, name).
FieldValue = tuple[str | None, str]

#: Promoted fields whose values carry a Jira id: field id → (raw id column, raw name
#: column); a value without a name is named by its id.
ID_VALUES: dict[str, tuple[str, str]] = {
    "status": ("status_id", "status_name"),
    "assignee": ("assignee_id", "assignee_name"),
    "reporter": ("reporter_id", "reporter_name"),
}

#: The raw column of the sprints as (id, name) values, in sprint id order (only read
#: when `sprint` is a value field; `sprints` holds the names alone).
SPRINT_VALUES = "sprint_values"


def value_raw_columns(value_fields: Sequence[str]) -> dict[str, pl.DataType]:
    """The raw columns (and their types) that `value_columns` reads for `value_fields`."""
    columns: dict[str, pl.DataType] = {}
    for field_id in value_fields:
        if field_id in ID_VALUES:
            columns.update(dict.fromkeys(ID_VALUES[field_id], pl.Utf8()))
        elif field_id == "sprint":
            columns[SPRINT_VALUES] = FIELD_VALUES
        elif field_id in PROMOTED:
            columns.update(raw_columns([field_id]))
    return columns


def value_columns(
    raw: pl.DataFrame,
    count: int,
    value_fields: Sequence[str],
    custom: CustomValues,
    names: Callable[[str], str],
) -> list[pl.Series]:
    """One `FIELD_VALUES` series per field of `value_fields` (named by `names`): every
    value the field holds now, with its Jira id where the issue data keeps one (options,
    sprints, users), so a renamed value stays one value; an empty list when none.

    `raw` holds `value_raw_columns(value_fields)` for `count` rows; `custom` gives
    a custom field's raw values. The values are gathered as flat (row, id, name) columns
    and grouped into lists by polars: building nested values from Python objects costs
    ~40x more. Only custom fields are read value by value (their shapes vary per value).
    """
    order = pl.DataFrame({"row": range(count)}, schema={"row": pl.Int64})
    numbered = raw.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    series = []
    for field_id in value_fields:
        flat = _flat_values(numbered, field_id, custom).filter(
            pl.col("name").is_not_null() & (pl.col("name") != "")
        )
        flat = flat.with_columns(pl.when(pl.col("id") != "").then(pl.col("id")).alias("id")).select(
            pl.col("row"), pl.col("id").cast(pl.Utf8), pl.col("name").cast(pl.Utf8)
        )
        name = names(field_id)
        lists = flat.group_by("row", maintain_order=True).agg(pl.struct("id", "name").alias(name))
        joined = order.join(lists, on="row", how="left", maintain_order="left")
        series.append(joined[name].fill_null(pl.lit([], FIELD_VALUES)).cast(FIELD_VALUES))
    return series


def _flat_values(numbered: pl.DataFrame, field_id: str, custom: CustomValues) -> pl.DataFrame:
    """(row, id, name) per value of `field_id`, names not yet checked for emptiness."""
    no_id = pl.lit(None, pl.Utf8).alias("id")
    if field_id in ID_VALUES:
        ident, label = (pl.col(column) for column in ID_VALUES[field_id])
        named = pl.when(label.is_null() | (label == "")).then(ident).otherwise(label)
        return numbered.select("row", ident.alias("id"), named.alias("name"))
    if field_id == "sprint":
        return numbered.select("row", SPRINT_VALUES).explode(SPRINT_VALUES).unnest(SPRINT_VALUES)
    promoted = PROMOTED.get(field_id)
    if promoted is not None:
        column, shape = promoted
        if shape == "list":
            listed = numbered.select("row", no_id, pl.col(column).alias("name"))
            return listed.explode("name")
        return numbered.select("row", no_id, _display(column, shape).alias("name"))
    rows: list[int] = []
    ids: list[str | None] = []
    labels: list[str | None] = []
    for row, value in enumerate(custom(field_id)):
        for item in value if isinstance(value, list) else [value]:
            value_id, text = _json_value(item)
            rows.append(row)
            ids.append(value_id)
            labels.append(text)
    return pl.DataFrame(
        {"row": rows, "id": ids, "name": labels},
        schema={"row": pl.Int64, "id": pl.Utf8, "name": pl.Utf8},
    )


def _json_value(value: Any) -> tuple[str | None, str | None]:
    """A raw Jira value as (id, name): objects by their id and name, scalars by their text."""
    name = render_json_value(value)
    if isinstance(value, dict) and value.get("id") is not None:
        return str(value["id"]), name
    return None, name
