"""Business calendars in the store: the `calendars` table keeps each one's Timepiece JSON.

The JSON text is the definition (read back through calendar_json, the one validator), so a
calendar exported from Timepiece and one listed from dwelltime look the same.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from dwelltime.domain.calendar_json import calendar_to_json, parse_calendar
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.errors import ImportRejected, InvalidParameters, SourceError
from dwelltime.sources.store import schema

_table = schema.calendars


def save_calendar(engine: sa.Engine, spec: CalendarSpec) -> None:
    """Insert `spec`, or replace the stored calendar with its id."""
    save_calendars(engine, [spec])


def save_calendars(engine: sa.Engine, specs: Sequence[CalendarSpec]) -> None:
    """Upsert several calendars in one transaction: all of them are stored, or none."""
    with engine.begin() as connection:
        for spec in specs:
            row = {"name": spec.name, "definition": json.dumps(calendar_to_json(spec))}
            updated = connection.execute(
                _table.update().where(_table.c.id == spec.id).values(**row)
            )
            if updated.rowcount == 0:
                connection.execute(_table.insert().values(id=spec.id, **row))


def load_calendar(engine: sa.Engine, calendar_id: str) -> CalendarSpec | None:
    """The calendar stored under `calendar_id`, or None."""
    with engine.connect() as connection:
        definition = connection.execute(
            sa.select(_table.c.definition).where(_table.c.id == calendar_id)
        ).scalar_one_or_none()
    return None if definition is None else _parse(calendar_id, definition)


def list_calendars(engine: sa.Engine) -> list[CalendarSpec]:
    """Every stored calendar, numeric ids in numeric order first, then the others by name."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(_table.c.id, _table.c.definition)).all()
    specs = [_parse(row.id, row.definition) for row in rows]
    return sorted(specs, key=lambda spec: _id_order(spec.id))


def delete_calendar(engine: sa.Engine, calendar_id: str) -> bool:
    """Remove a calendar; False when none had that id."""
    with engine.begin() as connection:
        deleted = connection.execute(_table.delete().where(_table.c.id == calendar_id))
    return deleted.rowcount > 0


def next_calendar_id(engine: sa.Engine) -> str:
    """An unused id for a calendar imported without one: one more than the largest number."""
    return str(_largest_number(_stored_ids(engine)) + 1)


@dataclass(frozen=True, slots=True)
class ImportedCalendar:
    spec: CalendarSpec
    replaced: bool  # a calendar with this id was stored before and is now overwritten


def import_calendars(engine: sa.Engine, data: object, source: str) -> list[ImportedCalendar]:
    """Validate and store one calendar object or an array of them, all or nothing.

    Ids given in the JSON are kept (an existing calendar with that id is replaced); objects
    without one get fresh numbers above every stored and given id. Every problem of every
    object is collected into one ImportRejected, and then nothing is stored.
    """
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise ImportRejected(f"{source}: the array holds no calendar; nothing imported")
    given = [
        str(e["id"]).strip()
        for e in entries
        if isinstance(e, Mapping) and "id" in e and e["id"] is not None
    ]
    stored = set(_stored_ids(engine))
    fresh = itertools.count(_largest_number([*stored, *given]) + 1)
    specs: list[CalendarSpec] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        where = f"{source}[{index}]" if isinstance(data, list) else source
        needs_id = isinstance(entry, Mapping) and entry.get("id") is None
        try:
            specs.append(parse_calendar(entry, where, str(next(fresh)) if needs_id else None))
        except InvalidParameters as error:
            problems.extend(error.messages or [])
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            problems.append(f"{source}: id {spec.id!r} is given to more than one calendar")
        seen.add(spec.id)
    if problems:
        raise ImportRejected(f"{source}: nothing imported", problems)
    save_calendars(engine, specs)
    return [ImportedCalendar(spec, spec.id in stored) for spec in specs]


def _stored_ids(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(_table.c.id)).scalars())


def _largest_number(ids: Iterable[str]) -> int:
    return max((int(i) for i in ids if i.isdigit()), default=0)


def _id_order(calendar_id: str) -> tuple[int, int, str]:
    if calendar_id.isdigit():
        return (0, int(calendar_id), calendar_id)
    return (1, 0, calendar_id)


def _parse(calendar_id: str, definition: str) -> CalendarSpec:
    """A stored definition back as a spec; one that no longer parses is a store fault."""
    try:
        spec = parse_calendar(json.loads(definition), source=f"stored calendar {calendar_id}")
    except (ValueError, InvalidParameters) as error:
        detail = "; ".join(error.messages or []) if isinstance(error, InvalidParameters) else error
        raise SourceError(f"Stored calendar {calendar_id!r} is unreadable: {detail}") from error
    if spec.id != calendar_id:
        raise SourceError(f"Stored calendar {calendar_id!r} names itself {spec.id!r}")
    return spec
