"""The five export endpoints of SPEC §2: request in, ExportService call, reply out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from dwelltime.api.deps import ParamsDep, ServicesDep, TokenDep, UserDep
from dwelltime.api.downloads import download_response
from dwelltime.api.links import base_url
from dwelltime.api.schemas import (
    ExportCreated,
    ExportPublic,
    ExportsPublic,
    ExportSummary,
    export_created,
    export_public,
)
from dwelltime.params.wire import KNOWN_PARAMETERS

router = APIRouter(prefix="/rest/export", tags=["exports"])

# The two status reads are `async def`: each is one or two indexed reads, cheaper than the
# thread-pool hop that made polls queue on the GIL (bench/api_load.py). Start (validation),
# download (file) and abort (waits for the job) stay plain `def`, in the thread pool.

#: Error answers every endpoint may give, documented once (the envelope of SPEC §2).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, malformed, expired or revoked token."},
    404: {"description": "No such export for this user (or the state forbids the call)."},
}

_PARAMETER_SCHEMA = {"type": "string"}
_START_DOCS: dict[str, Any] = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": _PARAMETER_SCHEMA}
        for name in KNOWN_PARAMETERS
    ],
    "requestBody": {
        "required": False,
        "content": {
            media_type: {
                "schema": {
                    "type": "object",
                    "properties": dict.fromkeys(KNOWN_PARAMETERS, _PARAMETER_SCHEMA),
                }
            }
            for media_type in ("application/json", "application/x-www-form-urlencoded")
        },
    },
}


@router.post(
    "",
    summary="Start an export",
    response_model=ExportCreated,
    responses={**ERRORS, 400: {"description": "Invalid parameters (all listed)."}, 429: {}},
    openapi_extra=_START_DOCS,
)
def start_export(
    request: Request, services: ServicesDep, token: TokenDep, params: ParamsDep
) -> JSONResponse:
    record = services.exports.start(token.user, params, token_id=token.id)
    return JSONResponse(export_created(record, base_url(request, services.settings)))


@router.get(
    "/{exportId}",
    summary="Status of one export",
    responses={**ERRORS, 200: {"model": ExportPublic}},
)
async def get_export(
    request: Request, services: ServicesDep, user: UserDep, exportId: str
) -> JSONResponse:
    record = services.exports.get(user, exportId)
    return JSONResponse(export_public(record, base_url(request, services.settings)))


@router.get(
    "", summary="Status of all my exports", responses={**ERRORS, 200: {"model": ExportsPublic}}
)
async def list_exports(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    pageNumber: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    pageSize: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    records, total = services.exports.list_for_owner(user, pageNumber, pageSize)
    base = base_url(request, services.settings)
    return JSONResponse(
        {
            "elements": [export_public(record, base) for record in records],
            "pageNumber": pageNumber,
            "pageSize": pageSize,
            "total": total,
            "last": (pageNumber + 1) * pageSize >= total,
        }
    )


@router.get(
    "/{exportId}/download",
    summary="Download the file of a Successful export",
    response_class=FileResponse,
    responses={
        **ERRORS,
        206: {"description": "Part of the file (Range request)."},
        307: {"description": "The file at a short-lived storage URL (S3 presigned downloads)."},
    },
)
def download_export(
    request: Request, services: ServicesDep, user: UserDep, exportId: str
) -> Response:
    download = services.exports.open_download(user, exportId)
    return download_response(download, services.exports.storage, request.headers.get("range"))


@router.get(
    "/{exportId}/aggregate",
    summary="Summary of a Successful export: average and median per column, per-issue totals",
    responses={**ERRORS, 200: {"model": ExportSummary}},
)
def export_aggregate(services: ServicesDep, user: UserDep, exportId: str) -> JSONResponse:
    return JSONResponse(services.exports.summary(user, exportId))


@router.delete(
    "/{exportId}", summary="Abort an export", responses={**ERRORS, 200: {"model": ExportPublic}}
)
def abort_export(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    exportId: str,
) -> JSONResponse:
    record = services.exports.abort(user, exportId)
    return JSONResponse(export_public(record, base_url(request, services.settings)))
