"""FastAPI dependencies as `Annotated` aliases: the app's services, parameters, the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from prometheus_client import CollectorRegistry

from dwelltime.api.request_params import TOKEN_PARAMETER, read_params
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.service import ExportService
from dwelltime.tokens import TokenService, Unauthorized

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
    the check is one indexed read (well under a millisecond), and a thread-pool hop per
    request made status polls queue on the GIL under load (bench/api_load.py).
    """
    token = _header_token(request) or request.query_params.get(TOKEN_PARAMETER)
    if not token:
        values = (await read_params(request)).get(TOKEN_PARAMETER)
        token = values[0] if values else None
    return services.tokens.verify(token)


UserDep = Annotated[str, Depends(current_user)]
