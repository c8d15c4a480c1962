"""Property: whatever text (lone surrogates, NUL, huge, nested JSON) any parameter or the
token carries, in a JSON or a form body, the answer is 2xx or 4xx with the envelope and
the server keeps answering."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwelltime.api.request_params import TOKEN_PARAMETER
from dwelltime.params.wire import KNOWN_PARAMETERS
from tests.api.conftest import User
from tests.api.envelope import assert_never_500
from tests.api.test_hostile import VALID

# Every code point, lone surrogates included (hypothesis leaves them out by default).
_ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)
_HUGE_TEXT = st.builds(lambda piece, n: piece * n, _ANY_TEXT, st.integers(1_000, 30_000))
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
_NAMES = st.sampled_from([*KNOWN_PARAMETERS, TOKEN_PARAMETER]) | _ANY_TEXT
_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _post_and_check(
    client: httpx.Client, user: User, params: dict[str, Any], body: bytes, content_type: str
) -> None:
    """POST `body`, with the user's token unless the example brings its own; the answer
    is below 500 with the envelope, and the server answers the next request."""
    headers = {} if TOKEN_PARAMETER in params else user.headers
    response = client.post(
        "/rest/export", content=body, headers={**headers, "Content-Type": content_type}
    )
    assert_never_500(response)
    assert client.get("/healthz").status_code == 200


def _form_text(text: str) -> str:
    """Percent-encoded UTF-8, surrogates passed through as the bytes a broken client sends."""
    return quote(text.encode("utf-8", "surrogatepass"))


@_SETTINGS
@given(name=_NAMES, value=_JSON | _HUGE_TEXT)
def test_any_json_value_of_any_parameter(
    client: httpx.Client, alice: User, name: str, value: Any
) -> None:
    params = {**VALID, name: value}
    body = json.dumps(params).encode("ascii")  # \\uXXXX escapes carry surrogates as sent
    _post_and_check(client, alice, params, body, "application/json")


@_SETTINGS
@given(name=_NAMES, value=_ANY_TEXT | _HUGE_TEXT)
def test_any_form_value_of_any_parameter(
    client: httpx.Client, alice: User, name: str, value: str
) -> None:
    params = {**VALID, name: value}
    body = "&".join(f"{_form_text(key)}={_form_text(text)}" for key, text in params.items())
    _post_and_check(
        client, alice, params, body.encode("ascii"), "application/x-www-form-urlencoded"
    )
