"""statusLink/downloadLink bases: the configured URL, else the proxy's headers, else Host."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from dwelltime.api.links import base_url, download_link, status_link
from dwelltime.config import Settings


def _request(headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("10.0.0.5", 8080),
        "path": "/rest/export",
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("public", "headers", "expected"),
    [
        pytest.param(None, {"Host": "10.0.0.5:8080"}, "http://10.0.0.5:8080", id="host"),
        pytest.param(
            "https://reports.example.com/",
            {"Host": "10.0.0.5:8080", "X-Forwarded-Host": "other.example"},
            "https://reports.example.com",
            id="configured-wins",
        ),
        pytest.param(
            None,
            {"Host": "10.0.0.5", "X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "a.b"},
            "https://a.b",
            id="first-forwarded-hop",
        ),
        pytest.param(
            None,
            {"Host": "10.0.0.5", "Forwarded": 'proto=https;host="x.example:444", proto=http'},
            "https://x.example:444",
            id="rfc7239",
        ),
        pytest.param(
            None,
            {"Host": "10.0.0.5:8080", "X-Forwarded-Proto": "https"},
            "https://10.0.0.5:8080",
            id="scheme-only",
        ),
    ],
)
def test_base_url(
    tmp_path: Path, public: str | None, headers: dict[str, str], expected: str
) -> None:
    settings = Settings(home=tmp_path, public_base_url=public)
    assert base_url(_request(headers), settings) == expected


def test_links() -> None:
    assert status_link("https://h", "e1") == "https://h/rest/export/e1"
    assert download_link("https://h", "e1") == "https://h/rest/export/e1/download"
