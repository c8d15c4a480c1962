"""nextPageToken: signed position and `now`, bound to the parameters, expiring."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from dwelltime.errors import InvalidParameters
from dwelltime.reports.page_tokens import PagePosition, PageTokens, fingerprint

SECRET = "s" * 48
NOW_MS = 1_796_000_000_000


def _problem(tokens: PageTokens, token: str, digest: str) -> str:
    with pytest.raises(InvalidParameters) as raised:
        tokens.read(token, digest)
    assert raised.value.messages is not None
    return raised.value.messages[0]


def test_a_token_reads_back_its_position_and_now() -> None:
    tokens = PageTokens(SECRET, timedelta(days=7))
    digest = fingerprint({"projectKey": ["PAY"]})
    token = tokens.sign(PagePosition(200, NOW_MS), digest)
    assert tokens.read(token, digest) == PagePosition(200, NOW_MS)


def test_expired_foreign_and_reused_tokens_are_refused() -> None:
    digest = fingerprint({"projectKey": ["PAY"]})
    expired = PageTokens(SECRET, timedelta(seconds=-1)).sign(PagePosition(1, NOW_MS), digest)
    tokens = PageTokens(SECRET, timedelta(days=7))
    assert "expired" in _problem(tokens, expired, digest)
    forged = jwt.encode({"aud": "dwelltime-page", "pos": 5, "now": 1}, "x" * 48, "HS256")
    assert "not a token this server issued" in _problem(tokens, forged, digest)
    other = fingerprint({"projectKey": ["OPS"]})
    token = tokens.sign(PagePosition(1, NOW_MS), digest)
    assert "other parameters" in _problem(tokens, token, other)


def test_an_api_token_is_not_a_page_token() -> None:
    api = jwt.encode({"sub": "alice", "jti": "1"}, SECRET, "HS256")
    tokens = PageTokens(SECRET, timedelta(days=7))
    assert "not a token this server issued" in _problem(tokens, api, fingerprint({}))


def test_the_fingerprint_ignores_order_but_not_values() -> None:
    assert fingerprint({"a": ["1"], "b": ["2"]}) == fingerprint({"b": ["2"], "a": ["1"]})
    assert fingerprint({"a": ["1"]}) != fingerprint({"a": ["2"]})


def test_a_token_carries_the_first_pages_total_and_visited_statuses() -> None:
    tokens = PageTokens(SECRET, timedelta(days=7))
    digest = fingerprint({"projectKey": ["PAY"]})
    statuses = (("1", None, None, None), ("10777", "Gone", 1_700_000_000_000, 42))
    position = PagePosition(200, NOW_MS, 61_000, statuses)
    assert tokens.read(tokens.sign(position, digest), digest) == position
    assert tokens.read(tokens.sign(PagePosition(5, NOW_MS, 7), digest), digest).statuses is None
