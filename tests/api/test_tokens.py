"""Tokens: signed, verifiable, expiring, revocable; only ids stored; the key kept private."""

from __future__ import annotations

import stat
import time
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.caller import Caller
from dwelltime.errors import DwelltimeError, NotFound
from dwelltime.tokens import (
    MISSING_TOKEN,
    SECRET_FILE,
    TokenService,
    Unauthorized,
    api_tokens,
    load_secret,
)


@pytest.fixture
def tokens(settings: Settings) -> TokenService:
    db.upgrade(settings.resolved_database_url)
    return TokenService(db.create_db_engine(settings.resolved_database_url), load_secret(settings))


def _reason(tokens: TokenService, token: str | None) -> str:
    with pytest.raises(Unauthorized) as raised:
        tokens.verify(token)
    assert raised.value.message == "Unauthorized access"
    assert raised.value.messages is not None
    return raised.value.messages[0]


def test_a_created_token_verifies_as_its_user(tokens: TokenService) -> None:
    token, info = tokens.create("alice")
    assert tokens.verify(token) == "alice"
    assert info.user == "alice" and info.expires_ms is None


def test_only_the_token_id_is_stored(tokens: TokenService, settings: Settings) -> None:
    token, info = tokens.create("alice")
    engine = db.create_db_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.select(api_tokens))]
    assert rows == [(info.id, "alice", info.created_ms, None, None, False)]
    assert all(token not in str(value) for value in rows[0])


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param(None, MISSING_TOKEN, id="missing"),
        pytest.param("", MISSING_TOKEN, id="empty"),
        pytest.param("not-a-jwt", "The token is malformed.", id="malformed"),
        pytest.param("a.b.c", "The token is malformed.", id="garbage-segments"),
    ],
)
def test_unusable_tokens_are_refused(tokens: TokenService, token: str | None, reason: str) -> None:
    assert _reason(tokens, token) == reason


def test_a_token_signed_with_another_key_is_refused(tokens: TokenService) -> None:
    forged = jwt.encode({"sub": "alice", "jti": "x"}, "another key " * 4, algorithm="HS256")
    assert _reason(tokens, forged) == "The token signature is invalid."


def test_an_expired_token_is_refused(tokens: TokenService) -> None:
    token, _ = tokens.create("alice", timedelta(seconds=-5))
    assert _reason(tokens, token) == "The token has expired."


def test_a_revoked_token_is_refused(tokens: TokenService) -> None:
    token, info = tokens.create("alice")
    revoked = tokens.revoke(info.id)
    assert revoked.revoked_ms is not None
    assert tokens.revoke(info.id).revoked_ms == revoked.revoked_ms  # idempotent
    assert _reason(tokens, token) == "The token has been revoked."
    assert [t.revoked_ms for t in tokens.list()] == [revoked.revoked_ms]


def test_revoking_an_unknown_id_is_not_found(tokens: TokenService) -> None:
    with pytest.raises(NotFound, match="No token has the id"):
        tokens.revoke("nope")


def test_the_generated_key_is_private_and_stable(settings: Settings) -> None:
    first = load_secret(settings)
    path = settings.home / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == first and len(first) >= 32


def test_a_configured_key_wins(settings: Settings) -> None:
    configured = settings.model_copy(update={"secret_key": "k" * 40})
    assert load_secret(configured) == "k" * 40
    assert not (settings.home / SECRET_FILE).exists()


def test_the_admin_role_is_in_the_token_and_in_its_record(
    tokens: TokenService, settings: Settings
) -> None:
    admin_token, info = tokens.create("root", admin=True)
    user_token, _ = tokens.create("alice")
    assert info.admin and tokens.caller(admin_token) == Caller("root", admin=True)
    assert tokens.caller(user_token) == Caller("alice", admin=False)
    claims = jwt.decode(user_token, load_secret(settings), algorithms=["HS256"])
    forged = jwt.encode({**claims, "role": "admin"}, "x" * 64, algorithm="HS256")
    with pytest.raises(Unauthorized):
        tokens.caller(forged)
    # Even a correctly signed claim is not enough when the record says otherwise.
    resigned = jwt.encode({**claims, "role": "admin"}, load_secret(settings), algorithm="HS256")
    assert tokens.caller(resigned) == Caller("alice", admin=False)


@pytest.mark.parametrize("lifetime", [timedelta(days=3651), timedelta(days=1e6)], ids=str)
def test_token_lifetimes_are_bounded(tokens: TokenService, lifetime: timedelta) -> None:
    with pytest.raises(DwelltimeError, match="at most 3,650 days"):
        tokens.create("x", lifetime)


#: A short cache bound, so a test can wait it out.
CACHE_SECONDS = 0.3


@pytest.fixture
def cached(settings: Settings, tokens: TokenService) -> TokenService:
    """serve's view: the same store as `tokens` (the CLI's, another process) with a cache."""
    engine = db.create_db_engine(settings.resolved_database_url)
    return TokenService(engine, load_secret(settings), cache_seconds=CACHE_SECONDS)


def test_a_token_revoked_elsewhere_is_refused_within_the_cache_bound(
    tokens: TokenService, cached: TokenService
) -> None:
    token, info = tokens.create("ada")
    assert cached.verify(token) == "ada"
    tokens.revoke(info.id)
    assert cached.verify(token) == "ada"  # still within the bound: the cache answered
    time.sleep(CACHE_SECONDS + 0.05)
    assert _reason(cached, token) == "The token has been revoked."


def test_a_token_revoked_through_the_caching_service_is_refused_at_once(
    cached: TokenService,
) -> None:
    token, info = cached.create("ada")
    assert cached.verify(token) == "ada"
    cached.revoke(info.id)
    assert _reason(cached, token) == "The token has been revoked."


def test_without_a_cache_a_revocation_elsewhere_is_refused_at_once(
    settings: Settings, tokens: TokenService
) -> None:
    serving = TokenService(
        db.create_db_engine(settings.resolved_database_url), load_secret(settings)
    )
    token, info = tokens.create("ada")
    assert serving.verify(token) == "ada"
    tokens.revoke(info.id)
    assert _reason(serving, token) == "The token has been revoked."


def test_a_cached_token_still_expires_on_time(settings: Settings, tokens: TokenService) -> None:
    long_cache = TokenService(
        db.create_db_engine(settings.resolved_database_url), load_secret(settings), 60.0
    )
    token, info = tokens.create("ada", timedelta(seconds=1))
    assert long_cache.verify(token) == "ada"
    assert info.expires_ms is not None
    time.sleep(max(0.0, info.expires_ms // 1000 - time.time()) + 0.05)
    assert _reason(long_cache, token) == "The token has expired."


def test_a_callers_role_is_checked_anew_despite_the_cache(
    tokens: TokenService, cached: TokenService
) -> None:
    token, info = tokens.create("root", admin=True)
    assert cached.identify(token).admin  # now cached
    tokens.revoke(info.id)
    with pytest.raises(Unauthorized):
        cached.caller(token)


def test_invalid_tokens_are_never_cached(tokens: TokenService, cached: TokenService) -> None:
    token, info = tokens.create("ada")
    tokens.revoke(info.id)
    assert _reason(cached, token) == "The token has been revoked."
    assert _reason(cached, token + "x") == "The token signature is invalid."
    assert _reason(cached, token) == "The token has been revoked."
