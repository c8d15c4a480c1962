"""JSON answers of the synchronous endpoints (SPEC §8.2), streamed row by row.

`write_table_json` writes Timepiece's `{…, "table": {"header", "body": {"rows"}}}` shape:
every cell carries `value` (the CSV's text) and, for numbers, durations and dates, `raw`
(milliseconds, counts, epoch milliseconds) read from the same report rendered in seconds.
`write_simplified_json` writes `{"columns", "rows"}` with the CSV's cells as JSON values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any, BinaryIO

import polars as pl

from dwelltime.engine.table import Cell, CellColumn, Column, ColumnKind, OpenVisit, Sheet
from dwelltime.writers.csv import DATE_FORMAT, float_text
from dwelltime.writers.text import clean_text

CONTENT_TYPE = "application/json"


class Role(StrEnum):
    """Where a column's cells go in a JSON row."""

    HEADER = "headerColumns"
    GROUP_BY = "groupByColumns"
    FIELD = "fieldColumns"
    VALUE = "valueColumns"
    ISSUE_COUNT = "issueCount"


#: A JSON row's lists of cells, in the order they are written.
_ROW_LISTS = tuple(role.value for role in Role if role is not Role.ISSUE_COUNT)


def write_table_json(
    sheet: Sheet,
    raw: Sheet,
    roles: Sequence[Role],
    prelude: Mapping[str, Any],
    destination: BinaryIO,
    *,
    consolidated: bool = False,
    counts: Sheet | None = None,
    current: Iterable[Sequence[OpenVisit]] | None = None,
) -> None:
    """`prelude`'s fields, then the table of `sheet`; `raw` is the same sheet in seconds.

    `consolidated` marks value columns as consolidated groups (groupDuration). `counts`, the
    same sheet with each value cell's count of visits, gives value cells their `count`;
    `current`, one sequence per row, gives rows their `currentState` (SPEC §8.2).
    """
    header = _header(sheet.columns, roles, consolidated)
    destination.write(_open(prelude) + f'"table": {{"header": {_dumps(header)}, '.encode())
    destination.write(b'"body": {"rows": [')
    count_blocks = counts.column_blocks() if counts is not None else repeat(None)
    open_visits = iter(current) if current is not None else repeat(None)
    slots = _slots(sheet.columns, raw.columns, roles, counted=counts is not None)
    lists = [
        (role, [position for position, slot in enumerate(slots) if slot.role == role])
        for role in _ROW_LISTS
    ]
    issue_count = next((i for i, slot in enumerate(slots) if slot.role is None), None)
    separator = ""
    for block, raw_block in zip(sheet.column_blocks(), raw.column_blocks(), strict=True):
        count_block = next(count_blocks)
        columns = [
            slot.entries(
                cells, raw_block[position], None if count_block is None else count_block[position]
            )
            for position, (slot, cells) in enumerate(zip(slots, block, strict=True))
        ]
        for entries in zip(*columns, strict=True):
            fields = [
                f'"{role}": [{", ".join([entries[position] for position in positions])}]'
                for role, positions in lists
            ]
            if issue_count is not None:
                fields.append(f'"issueCount": {entries[issue_count]}')
            visits = next(open_visits)
            if visits is not None:
                fields.append(f'"currentState": [{", ".join(map(_open_visit, visits))}]')
            destination.write((separator + "{" + ", ".join(fields) + "}").encode())
            separator = ", "
    destination.write(b"]}}}")


def _open_visit(visit: OpenVisit) -> str:
    """`{"id", "value", "raw", "since", "sinceRaw"}` as `json.dumps` writes it."""
    return (
        f'{{"id": {_string(visit.id)}, "value": {_string(_text(visit.value))}, '
        f'"raw": "{visit.ms}", "since": {_string(_text(visit.since))}, '
        f'"sinceRaw": "{visit.since_ms}"}}'
    )


def write_simplified_json(sheet: Sheet, prelude: Mapping[str, Any], destination: BinaryIO) -> None:
    """`{…prelude, "columns": [titles], "rows": [[cells]]}`: the CSV's cells, numbers as
    numbers, empty as null."""
    titles = [clean_text(column.title) for column in sheet.columns]
    destination.write(_open(prelude) + f'"columns": {_dumps(titles)}, "rows": ['.encode())
    for index, row in enumerate(sheet.rows()):
        cells = [_simple(cell) for cell in row]
        destination.write((", " if index else "").encode() + _dumps(cells).encode())
    destination.write(b"]}")


def _open(prelude: Mapping[str, Any]) -> bytes:
    """An object's opening brace and `prelude`'s fields, ready for one more field."""
    head = _dumps(dict(prelude))[:-1]
    return (head + (", " if prelude else "")).encode()


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _header(
    columns: Sequence[Column], roles: Sequence[Role], consolidated: bool
) -> dict[str, list[dict[str, Any]]]:
    header: dict[str, list[dict[str, Any]]] = {
        role.value: [] for role in Role if role is not Role.ISSUE_COUNT
    }
    for column, role in zip(columns, roles, strict=True):
        if role is Role.ISSUE_COUNT:
            continue
        entry: dict[str, Any] = {"id": column.id or column.title, "value": clean_text(column.title)}
        if role is Role.VALUE:
            entry["isConsolidated"] = consolidated
        header[role.value].append(entry)
    return header


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a column's cells go in a JSON row, worked out once per sheet: the row's list
    (`role`; None: the row's `issueCount`), the entry's opening up to its `value` (its id
    as JSON), the kind of its `raw` (None: text, which has none), whether it has a
    `count`, and the whole entry of an empty cell (most cells of a page)."""

    role: str | None
    opening: str
    raw_kind: ColumnKind | None
    counted: bool
    empty: str

    def entries(
        self, cells: CellColumn, raw_cells: CellColumn, count_cells: CellColumn | None
    ) -> list[str]:
        """The column's cells as JSON entries, written directly: what `json.dumps` gives
        for `{"id", "value", "raw"?, "count"?}` without building those objects, a column
        at a time (a page's rows were a quarter of its time)."""
        values = _values(cells)
        if self.role is None:
            return [_string(_text(cell)) for cell in values]
        raws: Iterable[Cell] = _values(raw_cells) if self.raw_kind is not None else values
        counts = _values(count_cells) if self.counted and count_cells is not None else None
        empty, opening, kind = self.empty, self.opening, self.raw_kind
        entries = []
        for cell, raw_cell, count in zip(
            values, raws, counts if counts is not None else repeat(None), strict=False
        ):
            if cell is None and (kind is None or raw_cell is None) and count is None:
                entries.append(empty)
                continue
            entry = opening + _string(_text(cell))
            if kind is not None:
                entry += ', "raw": ' + _string(_raw(kind, raw_cell))
            if self.counted:
                entry += ', "count": ' + _string(_text(count))
            entries.append(entry + "}")
        return entries


def _values(cells: CellColumn) -> Sequence[Cell]:
    """A block's column as Python values (a Series' at once, not one by one)."""
    return cells.to_list() if isinstance(cells, pl.Series) else cells


def _slots(
    columns: Sequence[Column],
    raw_columns: Sequence[Column],
    roles: Sequence[Role],
    *,
    counted: bool,
) -> list[_Slot]:
    slots = []
    for column, raw_column, role in zip(columns, raw_columns, roles, strict=True):
        opening = f'{{"id": {_string(column.id or column.title)}, "value": '
        raw_kind = None if raw_column.kind is ColumnKind.TEXT else raw_column.kind
        with_count = counted and role is Role.VALUE
        empty = opening + "null" + (', "raw": null' if raw_kind is not None else "")
        empty += (', "count": null' if with_count else "") + "}"
        slots.append(
            _Slot(
                None if role is Role.ISSUE_COUNT else role.value,
                opening,
                raw_kind,
                with_count,
                empty,
            )
        )
    return slots


def _string(text: str | None) -> str:
    """A JSON string (or null), as `json.dumps(…, ensure_ascii=False)` writes it."""
    return "null" if text is None else encode_basestring(text)


def _text(cell: Cell) -> str | None:
    """A cell's text as the CSV writes it (without the spreadsheet formula guard)."""
    if cell is None:
        return None
    if isinstance(cell, str):
        return clean_text(cell)
    if isinstance(cell, float):
        return float_text(cell)
    if isinstance(cell, datetime):
        return cell.strftime(DATE_FORMAT)
    return str(cell)


def _raw(kind: ColumnKind, cell: Cell) -> str | None:
    """Durations in milliseconds (the seconds rendering has exactly three decimals),
    dates as epoch milliseconds, counts and other numbers as they are."""
    if cell is None or (isinstance(cell, float) and not math.isfinite(cell)):
        return None
    if isinstance(cell, datetime):
        return str(round(cell.timestamp() * 1000))
    if kind is ColumnKind.DURATION and isinstance(cell, int | float):
        return str(round(cell * 1000))
    return _text(cell)


def _simple(cell: Cell) -> str | int | float | None:
    if isinstance(cell, float):
        return cell if math.isfinite(cell) else None
    if isinstance(cell, datetime):
        return cell.strftime(DATE_FORMAT)
    if isinstance(cell, str):
        return clean_text(cell)
    return cell
