"""Report parameters read from a request: query string, form body or JSON body merged.

The query string wins over the body; repeated keys and JSON arrays give several values;
JSON objects and the JSON-valued parameters (groups, dbsMetrics) are kept as JSON text.
The body is read once (at most MAX_BODY_BYTES of it, counted while it streams in, so a
chunked body without Content-Length cannot grow the process) and kept on the request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import Request

from dwelltime.api.errors import RequestRejected
from dwelltime.params.values import is_unicode
from dwelltime.params.wire import json_object_params

#: Bodies larger than this are refused (413) before being parsed.
MAX_BODY_BYTES = 1_000_000
TOKEN_PARAMETER = "tisjwt"

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_params(request: Request) -> dict[str, list[str]]:
    """Every parameter of the request (the token included) as name -> values."""
    cached: dict[str, list[str]] | None = getattr(request.state, "params", None)
    if cached is not None:
        return cached
    body = await _body_params(request)
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    params = {**body, **query}
    _refuse_broken_text(params)
    request.state.params = params
    return params


def _refuse_broken_text(params: Mapping[str, list[str]]) -> None:
    """Text that cannot be encoded (JSON's lone `\\ud800` surrogates) goes no further: no
    database, file or log line could hold it. The token is the token check's to judge."""
    problems = [
        f"{name}: the value is not valid Unicode text (a lone surrogate)"
        for name, values in params.items()
        if name != TOKEN_PARAMETER and is_unicode(name) and not all(map(is_unicode, values))
    ]
    if not all(map(is_unicode, params)):
        problems.append("a parameter name is not valid Unicode text (a lone surrogate)")
    if problems:
        raise RequestRejected(400, "Invalid parameters.", problems)


async def _body_params(request: Request) -> dict[str, list[str]]:
    if request.method in ("GET", "HEAD", "DELETE"):
        return {}
    body = await _limited_body(request)
    if not body.strip():
        return {}
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in FORM_TYPES:
        form = await request.form()
        params: dict[str, list[str]] = {}
        for name, value in form.multi_items():
            if isinstance(value, str):
                params.setdefault(name, []).append(value)
        return params
    if media_type == "application/json" or media_type.endswith("+json"):
        return _json_params(body)
    raise RequestRejected(
        415,
        "Unsupported content type.",
        [
            f"The body's content type {media_type or '(none)'!r} is not supported; send "
            "application/json, application/x-www-form-urlencoded or query parameters."
        ],
    )


async def json_body(request: Request) -> object:
    """A request's JSON document (a calendar, a parameter set), within the body limit."""
    return _parsed_json(await _limited_body(request), "Invalid request body.")


async def _limited_body(request: Request) -> bytes:
    """The body, refused (413) past MAX_BODY_BYTES while it streams in, so a huge chunked
    body is never read whole; by its declared length at once when it has one."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY_BYTES:
            raise _too_large()
    body = bytes(received)
    request._body = body  # what request.form() parses: the stream is consumed
    return body


def _parsed_json(body: bytes, message: str) -> object:
    try:
        document: object = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RequestRejected(
            400, message, [f"The request body is not valid JSON: {error}."]
        ) from error
    return document


def _too_large() -> RequestRejected:
    return RequestRejected(
        413, "Request body too large.", [f"The body must be at most {MAX_BODY_BYTES} bytes."]
    )


def _json_params(body: bytes) -> dict[str, list[str]]:
    document = _parsed_json(body, "Invalid parameters.")
    if not isinstance(document, Mapping):
        raise RequestRejected(
            400, "Invalid parameters.", ["The JSON body must be an object of parameters."]
        )
    return json_object_params(document)
