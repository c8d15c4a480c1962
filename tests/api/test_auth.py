"""Authentication: every way to present a token, and every way a token is refused (401)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from dwelltime.api.deps import Services
from dwelltime.tokens import MISSING_TOKEN
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
