"""API tokens: signed JWTs whose id (jti) alone is stored, so a leaked database leaks no token.

The signing key comes from DWELLTIME_SECRET_KEY or is generated once into the home
(mode 0600). It is never logged or printed. An admin token carries `role: admin` in its
signed claims, and the stored record must agree, so the role cannot be added to a token
after it was issued.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import jwt
import sqlalchemy as sa

from dwelltime.config import Settings, home_secret
from dwelltime.db import metadata
from dwelltime.domain.caller import Caller
from dwelltime.errors import DwelltimeError, NotFound

ALGORITHM = "HS256"
#: The longest lifetime a token may be given: long enough for any integration, short
#: enough that every expiry is a date (datetime ends in 9999) on every platform.
MAX_LIFETIME = timedelta(days=3650)
SECRET_FILE = "secret.key"

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("jti", sa.String(36), primary_key=True),
    sa.Column("user", sa.String, nullable=False, index=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("expires_ms", sa.BigInteger),
    sa.Column("revoked_ms", sa.BigInteger),
    sa.Column("admin", sa.Boolean, nullable=False, server_default=sa.false()),
)


class Unauthorized(DwelltimeError):
    """No usable token: `messages` holds the one reason (absent, malformed, expired, …)."""

    def __init__(self, reason: str) -> None:
        super().__init__("Unauthorized access", [reason])


MISSING_TOKEN = "tisjwt is required for authentication."
ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known about a token without the token itself."""

    id: str
    user: str
    created_ms: int
    expires_ms: int | None
    revoked_ms: int | None
    admin: bool = False


def load_secret(settings: Settings) -> str:
    """The signing key: the setting, else the home's key file, created once with mode 0600."""
    return home_secret(settings.secret_key, settings.home / SECRET_FILE)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


#: Verified tokens remembered at most this many at once (then forgotten all together).
CACHE_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token found valid: its info, until when (monotonic) that may be reused, and
    its expiry claim (epoch seconds), which a reuse still honours."""

    info: TokenInfo
    reuse_until: float
    expires_s: int | None


class TokenService:
    """Creates, verifies, lists and revokes tokens.

    With `cache_seconds` (serve's `DWELLTIME_TOKEN_CACHE_SECONDS`) a token found valid is
    taken as valid again for that long without its signature check and row read (about half
    of a status poll's server CPU, bench/RESULTS.md), never past its own expiry. A
    revocation through this service clears the cache at once; one made elsewhere (the CLI,
    another server) is honoured within `cache_seconds`.
    """

    def __init__(self, engine: sa.Engine, secret: str, cache_seconds: float = 0.0) -> None:
        self._engine = engine
        self._secret = secret
        self._cache_seconds = cache_seconds
        self._verified: dict[str, _Verified] = {}

    def create(
        self, user: str, expires_in: timedelta | None = None, *, admin: bool = False
    ) -> tuple[str, TokenInfo]:
        if not user.strip():
            raise DwelltimeError("A token needs a non-empty user name.")
        if expires_in is not None and expires_in > MAX_LIFETIME:
            raise DwelltimeError(f"A token's lifetime must be at most {MAX_LIFETIME.days:,} days.")
        created = _now_ms()
        expires = created + int(expires_in.total_seconds() * 1000) if expires_in else None
        info = TokenInfo(str(uuid.uuid4()), user, created, expires, None, admin)
        claims: dict[str, object] = {"sub": user, "jti": info.id, "iat": created // 1000}
        if expires is not None:
            claims["exp"] = expires // 1000
        if admin:
            claims["role"] = ADMIN_ROLE
        with self._engine.begin() as connection:
            connection.execute(
                api_tokens.insert().values(
                    jti=info.id, user=user, created_ms=created, expires_ms=expires, admin=admin
                )
            )
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), info

    def verify(self, token: str | None) -> str:
        """The user a token speaks for; raises Unauthorized with the reason otherwise."""
        return self.identify(token).user

    def caller(self, token: str | None) -> Caller:
        """The user and role a token speaks for; raises Unauthorized with the reason otherwise.

        Always the full check, never the cache: these requests write calendars and
        parameter sets, and a revoked admin token must stop writing at once.
        """
        info = self._check(token)
        return Caller(info.user, admin=info.admin)

    def identify(self, token: str | None) -> TokenInfo:
        """What is known about a valid token: its id names its Jira binding, if any, and
        `admin` is its effective role; raises Unauthorized with the reason otherwise.

        Admin needs both the signed claim and the stored flag: neither a re-signed claim nor
        a changed row alone makes a token an admin's.
        """
        if not token:
            raise Unauthorized(MISSING_TOKEN)
        verified = self._verified.get(token)
        if (
            verified is not None
            and time.monotonic() < verified.reuse_until
            and (verified.expires_s is None or time.time() < verified.expires_s)
        ):
            return verified.info
        info = self._check(token)
        if self._cache_seconds > 0:
            if len(self._verified) >= CACHE_ENTRIES:
                self._verified.clear()
            # The signed expiry (whole seconds), as the full check compares it.
            expires_s = None if info.expires_ms is None else info.expires_ms // 1000
            reuse_until = time.monotonic() + self._cache_seconds
            self._verified[token] = _Verified(info, reuse_until, expires_s)
        return info

    def _check(self, token: str | None) -> TokenInfo:
        """The full check: signature, claims, and the stored record."""
        if not token:
            raise Unauthorized(MISSING_TOKEN)
        if not token.isascii():  # a JWT is base64url and dots; PyJWT cannot encode the rest
            raise Unauthorized("The token is malformed.")
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"require": ["sub", "jti"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("The token has expired.") from error
        except jwt.InvalidSignatureError as error:
            raise Unauthorized("The token signature is invalid.") from error
        except jwt.DecodeError as error:
            raise Unauthorized("The token is malformed.") from error
        except jwt.InvalidTokenError as error:
            raise Unauthorized(f"The token is invalid: {error}.") from error
        info = self._info(str(claims["jti"]))
        if info is None or info.user != claims["sub"]:
            raise Unauthorized("The token is not known to this server.")
        if info.revoked_ms is not None:
            raise Unauthorized("The token has been revoked.")
        return replace(info, admin=info.admin and claims.get("role") == ADMIN_ROLE)

    def _info(self, token_id: str) -> TokenInfo | None:
        query = api_tokens.select().where(api_tokens.c.jti == token_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return _token_info(row)

    def list(self) -> list[TokenInfo]:
        query = api_tokens.select().order_by(api_tokens.c.created_ms, api_tokens.c.jti)
        with self._engine.connect() as connection:
            return [_token_info(row) for row in connection.execute(query)]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by id (idempotent); NotFound when no token has that id."""
        with self._engine.begin() as connection:
            connection.execute(
                api_tokens.update()
                .where(api_tokens.c.jti == token_id, api_tokens.c.revoked_ms.is_(None))
                .values(revoked_ms=_now_ms())
            )
        self._verified.clear()
        info = self._info(token_id)
        if info is None:
            raise NotFound(f"No token has the id {token_id!r}.")
        return info


def _token_info(row: sa.Row[Any]) -> TokenInfo:
    return TokenInfo(
        row.jti, row.user, row.created_ms, row.expires_ms, row.revoked_ms, bool(row.admin)
    )
