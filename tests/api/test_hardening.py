"""Regression tests of the hostile run (issue "Hardening"), over real HTTP: every bad input
answered with the envelope and the connection still usable."""

from __future__ import annotations

import select
import socket
import sqlite3

import httpx
import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from tests.api.conftest import User
from tests.api.envelope import assert_envelope

PROJECT = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}


def test_a_value_repeated_in_another_case_is_one_value(client: httpx.Client, alice: User) -> None:
    query = (
        "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV&outputType=csv"
    )
    response = client.post(f"/rest/export?{query}", headers=alice.headers)
    assert response.status_code == 200, response.text
    listing = client.get("/rest/export", headers=alice.headers).json()
    assert [element["outputType"] for element in listing["elements"]] == ["CSV"]


def test_two_different_values_are_still_refused(client: httpx.Client, alice: User) -> None:
    query = (
        "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV&outputType=XLSX"
    )
    body = assert_envelope(client.post(f"/rest/export?{query}", headers=alice.headers), 400)
    assert body["messages"] == ["outputType: expected one value, got 2 different ones"]


def _json_post(client: httpx.Client, text: str, headers: dict[str, str]) -> httpx.Response:
    """POST a JSON body given as text, so that escapes like \\ud800 reach the server as is."""
    return client.post(
        "/rest/export",
        content=text.encode("ascii"),
        headers={**headers, "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("name", ["calendar", "paramSetId", "jqlFilterID", "user"])
def test_a_lone_surrogate_is_a_400_naming_the_parameter(
    client: httpx.Client, alice: User, name: str
) -> None:
    text = '{"filterType":"project","projectKey":"PAY","columnsBy":"statusDuration",'
    text += f'"outputType":"CSV","{name}":"\\ud800"}}'
    body = assert_envelope(_json_post(client, text, alice.headers), 400, "Invalid parameters.")
    assert body["messages"] == [f"{name}: the value is not valid Unicode text (a lone surrogate)"]
    assert client.get("/rest/export", headers=alice.headers).status_code == 200


def test_a_lone_surrogate_token_is_malformed(client: httpx.Client) -> None:
    body = assert_envelope(_json_post(client, '{"tisjwt":"\\ud800"}', {}), 401)
    assert body["messages"] == ["The token is malformed."]
    assert client.get("/healthz").status_code == 200


def _raw_chunked_post(url: str, headers: str, total: int) -> tuple[bytes, int]:
    """Send `total` bytes of chunked body, stopping as soon as the server answers; the
    answer's first bytes and how much of the body had been sent by then."""
    host, port = url.removeprefix("http://").split(":")
    chunk = b"x" * 65_536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(
            f"POST /rest/export HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n{headers}\r\n".encode()
        )
        while sent < total:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            try:
                connection.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        connection.settimeout(30)
        return connection.recv(4096), sent


def test_a_huge_chunked_body_without_a_token_stops_at_the_limit(client: httpx.Client) -> None:
    answer, sent = _raw_chunked_post(str(client.base_url).rstrip("/"), "", 50_000_000)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 20_000_000  # the server stopped reading after 1 MB (plus socket buffers)
    assert client.get("/healthz").status_code == 200


def test_a_bad_header_token_is_refused_before_the_body_is_read(client: httpx.Client) -> None:
    headers = "Authorization: TISJWT not-a-token\r\n"
    answer, sent = _raw_chunked_post(str(client.base_url).rstrip("/"), headers, 50_000_000)
    assert answer.startswith(b"HTTP/1.1 401")
    assert sent < 20_000_000


def test_a_locked_database_is_a_503_with_retry_after(
    client: httpx.Client, alice: User, api_settings: Settings
) -> None:
    database = sa.engine.make_url(api_settings.resolved_database_url).database
    assert database is not None
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post(
            "/rest/export", params={**PROJECT, "outputType": "CSV"}, headers=alice.headers
        )
        body = assert_envelope(response, 503, "The database is busy.")
        assert response.headers["Retry-After"] == "2"
        assert body["messages"] == ["Another process holds the database; retry in a few seconds."]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = client.post(
        "/rest/export", params={**PROJECT, "outputType": "CSV"}, headers=alice.headers
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize(
    ("jql", "problem"),
    [
        pytest.param(
            " OR ".join(f'summary ~ "x{i}"' for i in range(2_000)),
            "customjql: the query has more than 500 conditions",
            id="2000-contains",
        ),
        pytest.param(
            'summary ~ "' + "x" * 99_980 + '"',
            "customjql: summary ~: the text is longer than 1,000 characters",
            id="huge-pattern",
        ),
        pytest.param(
            'summary ~ "\\ud800"',
            "customjql: \\ud800 is half of a surrogate pair, not a character",
            id="surrogate-escape",
        ),
    ],
)
def test_jql_the_databases_cannot_run_is_a_400_at_post(
    client: httpx.Client, alice: User, jql: str, problem: str
) -> None:
    params = {"filterType": "customjql", "customjql": jql, "columnsBy": "statusDuration"}
    response = client.post(
        "/rest/export", data={**params, "outputType": "CSV"}, headers=alice.headers
    )
    body = assert_envelope(response, 400, "Invalid parameters.")
    assert body["messages"] == [problem]


def test_links_ignore_forwarded_headers_from_an_untrusted_client(
    client: httpx.Client, alice: User
) -> None:
    headers = {
        **alice.headers,
        "Forwarded": 'proto=javascript;host="evil.example"',
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "javascript",
    }
    response = client.post("/rest/export", params={**PROJECT, "outputType": "CSV"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["statusLink"].startswith(f"{client.base_url}".rstrip("/") + "/rest/")


@pytest.mark.parametrize(
    "request_line", [b"GET /rest/\x00 HTTP/1.1", b"GET /rest/\xc3\xa9 HTTP/1.1"]
)
def test_a_request_line_uvicorn_refuses_is_a_plain_400(
    client: httpx.Client, request_line: bytes
) -> None:
    """Documented in docs/api.md: uvicorn answers these before the app sees them."""
    host, port = str(client.base_url).removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        connection.settimeout(30)
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"text/plain" in answer
    assert client.get("/healthz").status_code == 200
