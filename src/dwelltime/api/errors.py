"""One table from error class to HTTP status, and the handlers that answer with the envelope.

Every non-2xx answer is `{"status", "message", "messages", "time"[, "exportId"],
"pluginVersion"}` (SPEC §2; `pluginVersion` is dwelltime's version, where Timepiece sends its own),
whether it comes from a DwelltimeError, FastAPI's validation or routing, or a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dwelltime import __version__
from dwelltime.errors import (
    DwelltimeError,
    ExportAborted,
    ExportConflict,
    Forbidden,
    ImportRejected,
    InvalidParameters,
    NotFound,
    ReportTooLarge,
    SourceError,
)
from dwelltime.exports.problems import ExportNotFound, QueueFull
from dwelltime.reports.budget import ReportTimeout
from dwelltime.tokens import Unauthorized

STATUS_BY_ERROR: dict[type[DwelltimeError], int] = {
    InvalidParameters: 400,
    ReportTooLarge: 400,
    ImportRejected: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    ReportTimeout: 408,
    ExportConflict: 409,
    ExportAborted: 409,
    QueueFull: 429,
    SourceError: 502,
    DwelltimeError: 400,
}

logger = structlog.get_logger("dwelltime.api")


class RequestRejected(DwelltimeError):
    """The request itself is unusable (body too large, wrong content type, bad JSON)."""

    def __init__(
        self,
        status: int,
        message: str,
        messages: Sequence[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, messages)
        self.status = status
        self.headers = headers


def envelope(
    status: int,
    message: str,
    messages: Sequence[str] | None = None,
    export_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The error envelope of SPEC §2; `exportId` only when the error is about an export."""
    body: dict[str, Any] = {
        "status": status,
        "message": message,
        "messages": list(messages) if messages is not None else None,
        "time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if export_id is not None:
        body["exportId"] = export_id
    body["pluginVersion"] = __version__
    return JSONResponse(body, status_code=status, headers=headers)


def status_of(error: DwelltimeError) -> int:
    if isinstance(error, RequestRejected):
        return error.status
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


async def _dwelltime_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DwelltimeError)
    export_id = error.export_id if isinstance(error, ExportNotFound) else None
    headers = error.headers if isinstance(error, RequestRejected) else None
    if isinstance(error, QueueFull):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return envelope(status_of(error), error.message, error.messages, export_id, headers)


def validation_messages(errors: Sequence[Any]) -> list[str]:
    """One line per bad input, naming the parameter as the client sent it."""
    lines = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(location) or "request"
        lines.append(f"{name}: {error.get('msg', 'invalid value')}")
    return lines


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return envelope(400, "Invalid parameters.", validation_messages(error.errors()))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    message = str(error.detail)
    if error.status_code == 404 and message == "Not Found":
        message = f"No such endpoint: {request.method} {request.url.path}"
    headers = dict(error.headers) if error.headers else None
    return envelope(error.status_code, message, headers=headers)


#: Seconds a client should wait before retrying when the database is busy.
RETRY_AFTER_BUSY_SECONDS = 2


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # A lock held elsewhere (or a database that does not answer) is the server's state,
    # not a bug: the client may retry, the operator gets the driver's words in the log.
    logger.warning("database_unavailable", path=request.url.path, error=str(error))
    return envelope(
        503,
        "The database is busy.",
        ["Another process holds the database; retry in a few seconds."],
        headers={"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)},
    )


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    # A bug, not bad input: logged with its traceback, answered without internals.
    logger.exception("request_failed", path=request.url.path, exc_info=error)
    return envelope(500, "Internal server error.")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DwelltimeError, _dwelltime_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(sa.exc.OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
