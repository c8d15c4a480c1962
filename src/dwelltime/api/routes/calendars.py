"""Calendars over REST (SPEC §8.1): every user reads them, admins change them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dwelltime.api.deps import CallerDep, ServicesDep, UserDep
from dwelltime.api.request_params import json_body
from dwelltime.api.schemas import page_public
from dwelltime.definitions.search import DEFAULT_PAGE_SIZE
from dwelltime.domain.calendar_json import calendar_public

router = APIRouter(prefix="/rest/calendar", tags=["calendars"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, malformed, expired or revoked token."},
    404: {"description": "No calendar with that id."},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"description": "The calendar JSON is invalid (every problem listed)."},
    403: {"description": "The token is not an admin's."},
}


@router.get("", summary="Every calendar", responses=ERRORS)
def list_calendars(services: ServicesDep, _: UserDep) -> JSONResponse:
    return JSONResponse([calendar_public(spec) for spec in services.calendars.all()])


@router.get("/search", summary="Calendars by name, paged", responses=ERRORS)
def search_calendars(
    services: ServicesDep,
    _: UserDep,
    name: str | None = None,
    searchType: str | None = None,
    pageNumber: Annotated[int, Query()] = 0,
    pageSize: Annotated[int, Query()] = DEFAULT_PAGE_SIZE,
) -> JSONResponse:
    page = services.calendars.search(name, searchType, pageNumber, pageSize)
    return JSONResponse(page_public(page, calendar_public))


@router.get("/{calendarId}", summary="One calendar", responses=ERRORS)
def get_calendar(services: ServicesDep, _: UserDep, calendarId: str) -> JSONResponse:
    return JSONResponse(calendar_public(services.calendars.get(calendarId)))


@router.post(
    "",
    summary="Create or replace calendars from Timepiece JSON (admins)",
    status_code=201,
    responses=WRITE_ERRORS,
)
async def create_calendars(
    request: Request, services: ServicesDep, caller: CallerDep
) -> JSONResponse:
    # The role is checked before the body is read: a non-admin learns nothing from it.
    services.calendars.check_writer(caller)
    data = await json_body(request)
    imported = services.calendars.import_json(caller, data, "calendar")
    body = [calendar_public(calendar.spec) for calendar in imported]
    replaced_all = all(calendar.replaced for calendar in imported)
    return JSONResponse(
        body if isinstance(data, list) else body[0], status_code=200 if replaced_all else 201
    )


@router.put("/{calendarId}", summary="Replace one calendar (admins)", responses=WRITE_ERRORS)
async def replace_calendar(
    request: Request, services: ServicesDep, caller: CallerDep, calendarId: str
) -> JSONResponse:
    services.calendars.check_writer(caller)
    data = await json_body(request)
    return JSONResponse(calendar_public(services.calendars.replace(caller, calendarId, data)))


@router.delete(
    "/{calendarId}", summary="Delete one calendar (admins)", status_code=204, responses=WRITE_ERRORS
)
def delete_calendar(services: ServicesDep, caller: CallerDep, calendarId: str) -> Response:
    services.calendars.delete(caller, calendarId)
    return Response(status_code=204)
