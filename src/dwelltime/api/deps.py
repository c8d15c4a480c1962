"""FastAPI dependencies as `Annotated` aliases: the app's services, parameters, the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from prometheus_client import CollectorRegistry

from dwelltime.api.request_params import TOKEN_PARAMETER, read_params
from dwelltime.config import Settings
from dwelltime.definitions.calendars import CalendarService
from dwelltime.definitions.param_sets import ParamSetService
from dwelltime.domain.caller import Caller
from dwelltime.exports.records import ExportStore
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.service import ExportService
from dwelltime.reports.service import ReportService
from dwelltime.sources.store.source import LocalSource
from dwelltime.tokens import TokenInfo, TokenService, Unauthorized

TOKEN_SCHEMES = ("tisjwt", "bearer")


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the routes call, built once by create_app and kept on app.state."""

    settings: Settings
    engine: sa.Engine
    exports: ExportService
    store: ExportStore
    tokens: TokenService
    metrics: CollectorRegistry
    scheduler: Scheduler
    source: LocalSource
    calendars: CalendarService
    param_sets: ParamSetService
    reports: ReportService


async def get_services(request: Request) -> Services:
    # async: FastAPI would run a plain def in the thread pool, a hop per request for nothing.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
ParamsDep = Annotated[dict[str, list[str]], Depends(read_params)]


def _header_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in TOKEN_SCHEMES or not token.strip():
        raise Unauthorized("The Authorization header must be 'TISJWT <token>' or 'Bearer <token>'.")
    return token.strip()


async def current_user(request: Request, services: ServicesDep) -> str:
    """The user of the request's token; 401 (Unauthorized) when there is no valid one.

    A token in the header or the query string is checked before any body is read, so an
    anonymous client cannot make the server read one; only a token sent in the body
    (`tisjwt` of a form or JSON) needs the (bounded) body first. Runs on the event loop:
    the check is one indexed read (well under a millisecond), skipped for a token found
    valid within `DWELLTIME_TOKEN_CACHE_SECONDS`, and a thread-pool hop per request made
    status polls queue on the GIL under load (bench/api_load.py).
    """
    return services.tokens.verify(await _request_token(request))


async def _request_token(request: Request) -> str | None:
    """The token of the header or query string, else (after reading it) of the body."""
    token = _header_token(request) or request.query_params.get(TOKEN_PARAMETER)
    if not token:
        values = (await read_params(request)).get(TOKEN_PARAMETER)
        token = values[0] if values else None
    return token


UserDep = Annotated[str, Depends(current_user)]


async def current_token(request: Request, services: ServicesDep) -> TokenInfo:
    """The request's token (user and id): starting an export needs the id's Jira binding."""
    return services.tokens.identify(await _request_token(request))


TokenDep = Annotated[TokenInfo, Depends(current_token)]


async def current_caller(request: Request, services: ServicesDep) -> Caller:
    """The user and role of the request's token, checked anew on every request (so a
    revoked admin token stops writing at once); 401 when there is no valid one.

    The token comes from the header or the query string only: these requests' bodies are
    documents (a calendar, a parameter set), not parameters.
    """
    return services.tokens.caller(
        _header_token(request) or request.query_params.get(TOKEN_PARAMETER)
    )


CallerDep = Annotated[Caller, Depends(current_caller)]
