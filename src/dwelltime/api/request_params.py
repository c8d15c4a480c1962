"""Report parameters read from a request: query string, form body or JSON body merged.

The query string wins over the body; repeated keys and JSON arrays give several values;
JSON objects and the JSON-valued parameters (groups, dbsMetrics) are kept as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import Request

from dwelltime.api.errors import RequestRejected
from dwelltime.params.wire import json_object_params

#: Bodies larger than this are refused (413) before being parsed.
MAX_BODY_BYTES = 1_000_000
TOKEN_PARAMETER = "tisjwt"

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_params(request: Request) -> dict[str, list[str]]:
    """Every parameter of the request (the token included) as name -> values."""
    body = await _body_params(request)
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    return {**body, **query}


async def _body_params(request: Request) -> dict[str, list[str]]:
    if request.method in ("GET", "HEAD", "DELETE"):
        return {}
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
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
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RequestRejected(
            400, "Invalid request body.", [f"The request body is not valid JSON: {error}."]
        ) from error


def _too_large() -> RequestRejected:
    return RequestRejected(
        413, "Request body too large.", [f"The body must be at most {MAX_BODY_BYTES} bytes."]
    )


def _json_params(body: bytes) -> dict[str, list[str]]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RequestRejected(
            400, "Invalid parameters.", [f"The request body is not valid JSON: {error}."]
        ) from error
    if not isinstance(document, Mapping):
        raise RequestRejected(
            400, "Invalid parameters.", ["The JSON body must be an object of parameters."]
        )
    return json_object_params(document)
