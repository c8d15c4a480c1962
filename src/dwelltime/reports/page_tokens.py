"""`nextPageToken` (SPEC §8.3): where the next page starts and the report's `now`, signed,
so a client walking pages gets one consistent report and cannot move or forge a position.

Where the next page starts is a keyset: the report-order key of the last issue shown
(`after`), with the number of issues shown so far (`start_index`), and the newest issue
the store held at the first page (`ceiling`), so an issue stored mid-walk neither shifts
later pages (a position would show one issue twice or skip one) nor joins the walk.

It also carries what the first page learnt about the whole selection, its issue count and
the statuses it visits (the report's columns; with the transitions it makes for
transitionCount), so later pages of the walk skip those queries and show the first
page's total and columns."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from dwelltime.errors import InvalidParameters

_ALGORITHM = "HS256"
_AUDIENCE = "dwelltime-page"


#: A status the whole selection visits: id, name (deleted statuses), rank_ts, rank_h.
StatusRow = tuple[str, str | None, int | None, int | None]
#: A transition the whole selection makes: from, to.
TransitionRow = tuple[str, str]


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where the next page starts (the issues shown so far, and the order key of the last
    one, None before the first), the walk's `now` and `ceiling`, and, once the first page
    has learnt them, the selection's `total`, visited `statuses` and `transitions` (None:
    not known, ask the store)."""

    start_index: int
    now_ms: int
    total: int | None = None
    statuses: tuple[StatusRow, ...] | None = None
    transitions: tuple[TransitionRow, ...] | None = None
    after: tuple[Any, ...] | None = None
    ceiling: int | None = None


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
        claims: dict[str, object] = {
            "aud": _AUDIENCE,
            "pos": position.start_index,
            "now": position.now_ms,
            "fp": params_fingerprint,
            "exp": position.now_ms // 1000 + int(self._lifetime.total_seconds()),
        }
        if position.total is not None:
            claims["tot"] = position.total
        if position.statuses is not None:
            claims["st"] = [_packed(row) for row in position.statuses]
        if position.transitions is not None:
            claims["tr"] = [list(row) for row in position.transitions]
        if position.after is not None:
            claims["aft"] = list(position.after)
        if position.ceiling is not None:
            claims["ceil"] = position.ceiling
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
        total, statuses, moves = claims.get("tot"), claims.get("st"), claims.get("tr")
        after, ceiling = claims.get("aft"), claims.get("ceil")
        if not (
            _optional(total, int)
            and _optional(statuses, list)
            and _optional(moves, list)
            and _optional(after, list)
            and _optional(ceiling, int)
        ):
            raise InvalidParameters(["nextPageToken: not a token this server issued"])
        return PagePosition(
            position,
            now_ms,
            total,
            None if statuses is None else tuple(_status_row(row) for row in statuses),
            None if moves is None else tuple(_transition_row(row) for row in moves),
            None if after is None else tuple(after),
            ceiling,
        )


def _packed(row: StatusRow) -> str | list[object]:
    """A catalog status as its bare id (the token travels in URLs, and a site may have
    hundreds), a deleted one with the name and ranks its title is chosen by."""
    return row[0] if row[1:] == (None, None, None) else list(row)


def _status_row(packed: object) -> StatusRow:
    """A status row back from the token (signed by this server, so only its shape)."""
    if isinstance(packed, str):
        return (packed, None, None, None)
    if not isinstance(packed, list) or len(packed) != 4 or not isinstance(packed[0], str):
        raise InvalidParameters(["nextPageToken: not a token this server issued"])
    return (packed[0], packed[1], packed[2], packed[3])


def _optional(claim: object, kind: type) -> bool:
    """Whether an optional claim is absent or of its `kind`."""
    return claim is None or isinstance(claim, kind)


def _transition_row(packed: object) -> TransitionRow:
    """A transition back from the token (signed by this server, so only its shape)."""
    if not (
        isinstance(packed, list) and len(packed) == 2 and all(isinstance(p, str) for p in packed)
    ):
        raise InvalidParameters(["nextPageToken: not a token this server issued"])
    return (packed[0], packed[1])
