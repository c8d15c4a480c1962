"""The reference model's anyFieldDuration and anyFieldDurationExpanded, from `fields`."""

from __future__ import annotations

from dwelltime.engine.table import Cell, Column, ColumnKind
from tests.engine.reference.clock import from_ms, report_zone
from tests.engine.reference.fields import FieldColumn, ValueId, field_columns, stays
from tests.engine.reference.numeric import Values, World, by_behavior
from tests.engine.reference.render import ValueColumn, duration_kind, render_duration
from tests.engine.reference.visits import Visit


def _stays(world: World) -> list[list[tuple[str, Visit]]]:
    """Per issue, (field id, stay) of every kept stay of every history field."""
    fields = world.params.history_fields
    return [
        [(field_id, stay) for field_id in fields for stay in stays(issue, field_id, world.window)]
        for issue in world.issues
    ]


def _columns(world: World, per_issue: list[list[tuple[str, Visit]]]) -> list[FieldColumn]:
    held = [{(field_id, _value(stay)) for field_id, stay in issue} for issue in per_issue]
    return field_columns(world.issues, world.params.history_fields, held)


def _value(stay: Visit) -> ValueId:
    assert isinstance(stay.value, tuple) and isinstance(stay.value[0], str)
    return (stay.value[0], str(stay.value[1]))


def any_field_duration(world: World) -> Values:
    per_issue = _stays(world)
    columns = _columns(world, per_issue)
    rows = []
    for issue_stays in per_issue:
        row = []
        for column in columns:
            # a column's values are one value of the field; an issue holds one of them
            mine = [
                stay
                for field_id, stay in issue_stays
                if field_id == column.field_id and _value(stay) in column.values
            ]
            row.append(by_behavior(world, mine))
        rows.append(row)
    return [ValueColumn(column.title, is_count=False) for column in columns], rows


def any_field_expanded(world: World) -> tuple[list[Column], list[tuple[int, list[Cell]]]]:
    """One row per stay: by issue, then entry, then column order."""
    zone = report_zone(world.calendar)
    per_issue = _stays(world)
    columns = _columns(world, per_issue)
    position = {
        (column.field_id, value): index
        for index, column in enumerate(columns)
        for value in column.values
    }
    title = {
        (column.field_id, value): column.title.split(": ", 1)[1]
        for column in columns
        for value in column.values
    }
    header = [
        Column("Field", ColumnKind.TEXT),
        Column("Value", ColumnKind.TEXT),
        Column("Entered", ColumnKind.DATE),
        Column("Left", ColumnKind.DATE),
        Column("Duration", duration_kind(world.params)),
        Column("Changed By", ColumnKind.TEXT),
    ]
    rows: list[tuple[int, list[Cell]]] = []
    for index, issue_stays in enumerate(per_issue):
        ordered = sorted(
            issue_stays,
            key=lambda pair: (pair[1].entered, position[(pair[0], _value(pair[1]))]),
        )
        for field_id, stay in ordered:
            key = (field_id, _value(stay))
            rows.append(
                (
                    index,
                    [
                        field_title_of(columns, field_id),
                        title[key],
                        from_ms(stay.entered, zone),
                        from_ms(stay.left, zone),
                        render_duration(world.time(stay), world.params, world.calendar),
                        stay.entered_by,
                    ],
                )
            )
    return header, rows


def field_title_of(columns: list[FieldColumn], field_id: str) -> str:
    """The field part of its columns' titles."""
    return next(c.title.split(": ", 1)[0] for c in columns if c.field_id == field_id)
