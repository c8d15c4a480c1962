"""The synchronous report endpoints of SPEC §8.1: request in, ReportService call, the
answer streamed out. GET takes the parameters in the query; POST also in the body."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from dwelltime.api.deps import ParamsDep, ServicesDep, TokenDep
from dwelltime.reports.service import SyncAnswer

router = APIRouter(prefix="/rest", tags=["synchronous reports"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid parameters (all listed), or a tampered nextPageToken."},
    401: {"description": "Missing, malformed, expired or revoked token."},
    404: {"description": "No such issue (single-issue endpoints)."},
    408: {"description": "Past the time budget: the work is cancelled; use POST /rest/export."},
}

Call = Callable[[str, Mapping[str, Sequence[str]], str | None], SyncAnswer]


def _streamed(answer: SyncAnswer) -> StreamingResponse:
    headers = dict(answer.headers)
    if answer.file_name:
        headers["Content-Disposition"] = f'attachment; filename="{answer.file_name}"'
    return StreamingResponse(answer.chunks(), media_type=answer.content_type, headers=headers)


def _endpoint(paths: Sequence[str], methods: Sequence[str], summary: str, call_of: str) -> None:
    """Register `paths` (the first documented, the others Timepiece's aliases)."""

    def handler(services: ServicesDep, token: TokenDep, params: ParamsDep) -> StreamingResponse:
        # The token's id, not only its user: its binding decides which site is read.
        call: Call = getattr(services.reports, call_of)
        return _streamed(call(token.user, params, token.id))

    handler.__name__ = call_of
    for index, path in enumerate(paths):
        for method in methods:
            router.add_api_route(
                path,
                handler,
                methods=[method],
                summary=summary,
                responses=ERRORS,
                include_in_schema=index == 0,
                response_class=StreamingResponse,
                operation_id=f"{call_of}_{method.lower()}" if index == 0 else None,
            )


_endpoint(["/issue"], ["GET"], "One issue's report row", "issue")
_endpoint(["/issue/expanded"], ["GET"], "One issue, a row per visit", "expanded_issue")
_endpoint(["/issues", "/list"], ["GET", "POST"], "A page of the list report", "page")
_endpoint(["/issues/v2", "/list2"], ["GET", "POST"], "Pages by nextPageToken", "token_page")
_endpoint(["/aggregation"], ["GET", "POST"], "One aggregate table", "aggregation")
_endpoint(["/smallexport"], ["GET"], "The export file, for small selections", "small_export")
