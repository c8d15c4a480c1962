"""Parameter sets over REST (SPEC §8.1), also under Timepiece's older `/rest/reportSettings`:
the caller's own and public sets (admins: all); writes on one's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dwelltime.api.deps import CallerDep, ServicesDep
from dwelltime.api.request_params import json_body
from dwelltime.api.schemas import page_public, param_set_public
from dwelltime.definitions.search import DEFAULT_PAGE_SIZE
from dwelltime.errors import InvalidParameters
from dwelltime.params.wire import json_object_params

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, malformed, expired or revoked token."},
    404: {"description": "No parameter set with that id that the caller may see."},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"description": "Invalid name, flag or parameters (every problem listed)."},
    403: {"description": "The set belongs to another user."},
}


def _definition(data: object) -> tuple[str, dict[str, list[str]], bool]:
    """Name, parameters and public flag of a body `{"name", "parameters", "public"}`."""
    if not isinstance(data, Mapping):
        raise InvalidParameters(["The body must be a JSON object with name and parameters."])
    problems = []
    name, parameters, public = data.get("name"), data.get("parameters"), data.get("public", False)
    if not isinstance(name, str):
        problems.append("name: a string is required")
    if not isinstance(parameters, Mapping):
        problems.append("parameters: an object of report parameters is required")
    if not isinstance(public, bool):
        problems.append("public: must be true or false")
    if problems:
        raise InvalidParameters(problems)
    assert isinstance(name, str) and isinstance(parameters, Mapping) and isinstance(public, bool)
    return name, json_object_params(parameters), public


def _router(prefix: str, documented: bool) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["parameter sets"], include_in_schema=documented)

    @router.get("", summary="My and public parameter sets, paged", responses=ERRORS)
    def list_param_sets(
        services: ServicesDep,
        caller: CallerDep,
        pageNumber: Annotated[int, Query()] = 0,
        pageSize: Annotated[int, Query()] = DEFAULT_PAGE_SIZE,
    ) -> JSONResponse:
        page = services.param_sets.search(caller, None, None, pageNumber, pageSize)
        return JSONResponse(page_public(page, param_set_public))

    @router.get("/search", summary="Parameter sets by name, paged", responses=ERRORS)
    def search_param_sets(
        services: ServicesDep,
        caller: CallerDep,
        name: str | None = None,
        searchType: str | None = None,
        pageNumber: Annotated[int, Query()] = 0,
        pageSize: Annotated[int, Query()] = DEFAULT_PAGE_SIZE,
    ) -> JSONResponse:
        page = services.param_sets.search(caller, name, searchType, pageNumber, pageSize)
        return JSONResponse(page_public(page, param_set_public))

    @router.get("/{paramSetId}", summary="One parameter set", responses=ERRORS)
    def get_param_set(services: ServicesDep, caller: CallerDep, paramSetId: str) -> JSONResponse:
        return JSONResponse(param_set_public(services.param_sets.get(caller, paramSetId)))

    @router.post("", summary="Save a new parameter set", status_code=201, responses=WRITE_ERRORS)
    async def create_param_set(
        request: Request, services: ServicesDep, caller: CallerDep
    ) -> JSONResponse:
        name, params, public = _definition(await json_body(request))
        saved = services.param_sets.create(caller, name, params, public)
        return JSONResponse(param_set_public(saved), status_code=201)

    @router.put("/{paramSetId}", summary="Replace my parameter set", responses=WRITE_ERRORS)
    async def replace_param_set(
        request: Request, services: ServicesDep, caller: CallerDep, paramSetId: str
    ) -> JSONResponse:
        name, params, public = _definition(await json_body(request))
        saved = services.param_sets.replace(caller, paramSetId, name, params, public)
        return JSONResponse(param_set_public(saved))

    @router.delete(
        "/{paramSetId}",
        summary="Delete my parameter set",
        status_code=204,
        responses=WRITE_ERRORS,
    )
    def delete_param_set(services: ServicesDep, caller: CallerDep, paramSetId: str) -> Response:
        services.param_sets.delete(caller, paramSetId)
        return Response(status_code=204)

    return router


routers = (_router("/rest/parameterSets", True), _router("/rest/reportSettings", False))
