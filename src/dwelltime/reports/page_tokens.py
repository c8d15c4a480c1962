"""`nextPageToken` (SPEC §8.3): the next position and the report's `now`, signed, so a
client walking pages gets one consistent report and cannot move or forge a position."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import jwt

from dwelltime.errors import InvalidParameters

_ALGORITHM = "HS256"
_AUDIENCE = "dwelltime-page"


@dataclass(frozen=True, slots=True)
class PagePosition:
    start_index: int
    now_ms: int


def fingerprint(params: Mapping[str, Sequence[str]]) -> str:
    """A digest of the effective parameters: a token only continues the report it began."""
    canonical = json.dumps({k: list(v) for k, v in sorted(params.items())}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class PageTokens:
    """Signs and reads page tokens with the server's key; they expire after `lifetime`."""

    def __init__(self, secret: str, lifetime: timedelta) -> None:
        self._secret = secret
        self._lifetime = lifetime

    def sign(self, position: PagePosition, params_fingerprint: str) -> str:
        claims = {
            "aud": _AUDIENCE,
            "pos": position.start_index,
            "now": position.now_ms,
            "fp": params_fingerprint,
            "exp": position.now_ms // 1000 + int(self._lifetime.total_seconds()),
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def read(self, token: str, params_fingerprint: str) -> PagePosition:
        """The position a token carries; 400 when it was altered, expired or is another's."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["pos", "now", "fp", "exp"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidParameters(
                ["nextPageToken: the token has expired; start again from the first page"]
            ) from error
        except jwt.InvalidTokenError as error:
            raise InvalidParameters(
                ["nextPageToken: not a token this server issued (altered or truncated)"]
            ) from error
        position, now_ms = claims["pos"], claims["now"]
        if not isinstance(position, int) or not isinstance(now_ms, int) or position < 0:
            raise InvalidParameters(["nextPageToken: not a token this server issued"])
        if claims["fp"] != params_fingerprint:
            raise InvalidParameters(
                ["nextPageToken: the token belongs to a request with other parameters"]
            )
        return PagePosition(position, now_ms)
