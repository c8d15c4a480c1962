"""Assertions on the SPEC §2 error envelope, shared by the API tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

from dwelltime import __version__

TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def assert_envelope(
    response: httpx.Response, status: int, message: str | None = None, export_id: str | None = None
) -> dict[str, Any]:
    """The response is `status` with a well-formed envelope; returns its body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert body["messages"] is None or all(isinstance(line, str) for line in body["messages"])
    assert TIME.fullmatch(body["time"])
    assert body["pluginVersion"] == __version__
    if message is not None:
        assert body["message"] == message
    if export_id is None:
        assert "exportId" not in body
    else:
        assert body["exportId"] == export_id
    return body


def assert_never_500(response: httpx.Response) -> None:
    """Any answer below 500; a non-2xx one carries the envelope."""
    assert response.status_code < 500, response.text
    if response.status_code >= 300:
        body = response.json()
        assert set(body) >= {"status", "message", "messages", "time"}
        assert body["status"] == response.status_code
