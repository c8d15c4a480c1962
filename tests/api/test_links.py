"""statusLink/downloadLink bases: the configured URL, else the proxy's headers, else Host."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from dwelltime.api.links import base_url, download_link, status_link
from dwelltime.config import Settings

PROXY = "10.0.0.9"


def _request(headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("10.0.0.5", 8080),
        "client": (PROXY, 51_000),
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
    settings = Settings(home=tmp_path, public_base_url=public, forwarded_allow_ips=PROXY)
    assert base_url(_request(headers), settings) == expected


@pytest.mark.parametrize(
    ("allowed", "headers", "expected"),
    [
        pytest.param(
            "",
            {"Host": "10.0.0.5:8080", "Forwarded": 'proto=https;host="evil.example"'},
            "http://10.0.0.5:8080",
            id="no-proxy-configured",
        ),
        pytest.param(
            "10.0.0.1, 10.0.0.2",
            {"Host": "10.0.0.5:8080", "X-Forwarded-Host": "evil.example"},
            "http://10.0.0.5:8080",
            id="not-from-the-proxy",
        ),
        pytest.param(
            "*",
            {"Host": "10.0.0.5:8080", "Forwarded": 'proto=javascript;host="evil.example"'},
            "http://evil.example",
            id="only-http-or-https",
        ),
        pytest.param(
            PROXY,
            {"Host": "10.0.0.5:8080", "X-Forwarded-Host": "a.example/<script>"},
            "http://10.0.0.5:8080",
            id="malformed-host",
        ),
        pytest.param("", {"Host": "evil.example/x?y"}, "http://10.0.0.5:8080", id="bad-host"),
    ],
)
def test_forwarded_headers_need_a_trusted_proxy_and_sane_values(
    tmp_path: Path, allowed: str, headers: dict[str, str], expected: str
) -> None:
    settings = Settings(home=tmp_path, forwarded_allow_ips=allowed)
    assert base_url(_request(headers), settings) == expected


def test_links() -> None:
    assert status_link("https://h", "e1") == "https://h/rest/export/e1"
    assert download_link("https://h", "e1") == "https://h/rest/export/e1/download"
