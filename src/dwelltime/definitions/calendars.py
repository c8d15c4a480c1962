"""`CalendarService`: every user reads calendars; only admins (and the operator) change them."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from dwelltime.definitions.search import Page, search_page
from dwelltime.domain.calendar_json import parse_calendar
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.caller import Caller
from dwelltime.errors import Forbidden, ImportRejected, InvalidParameters, NotFound
from dwelltime.sources.store.calendars import (
    ImportedCalendar,
    delete_calendar,
    import_calendars,
    list_calendars,
    load_calendar,
    save_calendar,
)

ADMIN_ONLY = "Only an admin can change calendars."


class CalendarService:
    """Calendars of one store on behalf of a caller."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def all(self) -> list[CalendarSpec]:
        return list_calendars(self._engine)

    def search(
        self, name: str | None, search_type: str | None, page_number: int, page_size: int
    ) -> Page[CalendarSpec]:
        return search_page(
            self.all(), lambda spec: spec.name, name, search_type, page_number, page_size
        )

    def get(self, calendar_id: str) -> CalendarSpec:
        spec = load_calendar(self._engine, calendar_id)
        if spec is None:
            raise NotFound(f"No calendar with id {calendar_id!r}.")
        return spec

    def import_json(self, caller: Caller, data: object, source: str) -> list[ImportedCalendar]:
        """Store the calendar(s) of a Timepiece JSON document, all or nothing (ids kept)."""
        self.check_writer(caller)
        return import_calendars(self._engine, data, source)

    def replace(self, caller: Caller, calendar_id: str, data: object) -> CalendarSpec:
        """Replace a stored calendar with `data` (whose id, if any, must be `calendar_id`)."""
        self.check_writer(caller)
        self.get(calendar_id)
        if not isinstance(data, Mapping):
            raise ImportRejected("calendar: nothing stored", ["calendar: must be a JSON object"])
        given = data.get("id")
        if given is not None and str(given).strip() != calendar_id:
            raise ImportRejected(
                "calendar: nothing stored",
                [f"calendar.id: {given!r} is not the id being replaced, {calendar_id!r}"],
            )
        try:
            spec = parse_calendar(data, "calendar", default_id=calendar_id)
        except InvalidParameters as error:
            raise ImportRejected("calendar: nothing stored", error.messages) from error
        save_calendar(self._engine, spec)
        return spec

    def check_writer(self, caller: Caller) -> None:
        """Forbidden unless `caller` may change calendars (admins and the operator)."""
        if not caller.admin:
            raise Forbidden(
                ADMIN_ONLY, ["Use a token created with `dwelltime token create USER --admin`."]
            )

    def delete(self, caller: Caller, calendar_id: str) -> None:
        self.check_writer(caller)
        if not delete_calendar(self._engine, calendar_id):
            raise NotFound(f"No calendar with id {calendar_id!r}.")
