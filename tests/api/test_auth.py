"""Authentication: every way to present a token, and every way a token is refused (401)."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from dwelltime.api.deps import Services
from dwelltime.config import Settings
from dwelltime.tokens import MISSING_TOKEN, TokenService, load_secret
from tests.api.conftest import User
from tests.api.envelope import assert_envelope

ENDPOINTS = [
    pytest.param("GET", "/rest/export", id="list"),
    pytest.param("POST", "/rest/export", id="start"),
    pytest.param("GET", "/rest/export/some-id", id="status"),
    pytest.param("GET", "/rest/export/some-id/download", id="download"),
    pytest.param("DELETE", "/rest/export/some-id", id="abort"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_no_token_is_401_on_every_endpoint(client: httpx.Client, method: str, path: str) -> None:
    body = assert_envelope(client.request(method, path), 401, "Unauthorized access")
    assert body["messages"] == [MISSING_TOKEN]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param("TISJWT garbage", "The token is malformed.", id="malformed"),
        pytest.param("Bearer a.b.c", "The token is malformed.", id="malformed-bearer"),
        pytest.param("Basic dXNlcjpwYXNz", "must be 'TISJWT <token>'", id="other-scheme"),
        pytest.param("TISJWT", "must be 'TISJWT <token>'", id="scheme-only"),
    ],
)
def test_unusable_headers_say_why(client: httpx.Client, header: str, reason: str) -> None:
    response = client.get("/rest/export", headers={"Authorization": header})
    body = assert_envelope(response, 401, "Unauthorized access")
    assert reason in body["messages"][0]


def test_expired_and_revoked_tokens_are_refused(client: httpx.Client, services: Services) -> None:
    expired, _ = services.tokens.create("carol", timedelta(seconds=-1))
    revoked, info = services.tokens.create("carol")
    services.tokens.revoke(info.id)
    for token, reason in ((expired, "expired"), (revoked, "revoked")):
        response = client.get("/rest/export", headers={"Authorization": f"Bearer {token}"})
        body = assert_envelope(response, 401, "Unauthorized access")
        assert reason in body["messages"][0]


def test_a_token_revoked_elsewhere_stops_working_within_the_servers_cache_bound(
    client: httpx.Client, services: Services, api_settings: Settings
) -> None:
    # The CLI revokes through its own service: the server learns it from the store.
    cli = TokenService(services.engine, load_secret(api_settings))
    token, info = cli.create("carol")
    headers = {"Authorization": f"TISJWT {token}"}
    assert client.get("/rest/export", headers=headers).status_code == 200  # now cached
    cli.revoke(info.id)
    revoked = time.monotonic()
    while client.get("/rest/export", headers=headers).status_code == 200:
        assert time.monotonic() - revoked < api_settings.token_cache_seconds
        time.sleep(0.1)
    response = client.get("/rest/export", headers=headers)
    assert "revoked" in assert_envelope(response, 401, "Unauthorized access")["messages"][0]


def test_a_token_revoked_through_the_server_is_refused_at_once(
    client: httpx.Client, services: Services
) -> None:
    token, info = services.tokens.create("carol")
    headers = {"Authorization": f"TISJWT {token}"}
    assert client.get("/rest/export", headers=headers).status_code == 200  # now cached
    services.tokens.revoke(info.id)
    assert client.get("/rest/export", headers=headers).status_code == 401


def test_every_way_of_presenting_a_token_works(client: httpx.Client, alice: User) -> None:
    ways = [
        client.get("/rest/export", headers={"Authorization": f"TISJWT {alice.token}"}),
        client.get("/rest/export", headers={"Authorization": f"tisjwt {alice.token}"}),
        client.get("/rest/export", headers={"Authorization": f"Bearer {alice.token}"}),
        client.get("/rest/export", params={"tisjwt": alice.token}),
        client.post("/rest/export", data={"tisjwt": alice.token}),
    ]
    assert [response.status_code for response in ways] == [200, 200, 200, 200, 400]
    # The form-authenticated POST got past authentication to parameter validation.
    assert ways[-1].json()["message"] == "Invalid parameters."
