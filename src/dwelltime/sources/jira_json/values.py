"""Jira's small value shapes read into domain values: instants, people and sprints.

Pure functions over parsed JSON; they raise ImportRejected with a message saying which
value is wrong, and the callers add the file and issue to it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dwelltime.domain.issues import SprintRef, User
from dwelltime.errors import ImportRejected

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_GREENHOPPER_PREFIX = "com.atlassian.greenhopper.service.sprint.Sprint"
# Server sprint strings look like "...Sprint@1a2b[id=1,rapidViewId=2,name=A, b,startDate=…]";
# a name may contain commas, so split only before the next "word=".
_GREENHOPPER_BODY = re.compile(r"\[(.*)\]\s*$", re.DOTALL)
_GREENHOPPER_PAIR_SPLIT = re.compile(r",(?=\w+=)")


def parse_instant(value: Any, what: str) -> int:
    """Epoch milliseconds from an ISO 8601 text (`+0800`, `+08:00`, `Z`) or epoch ms."""
    if isinstance(value, bool) or value is None:
        raise ImportRejected(f"{what} is missing or not a date: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ImportRejected(f"{what} is not a date: {value!r}") from None
        if parsed.tzinfo is None:
            raise ImportRejected(f"{what} has no UTC offset: {value!r}")
        # Exact integer arithmetic (timestamp() goes through a float), and about three times
        # faster than rebuilding from whole seconds: a re-export's listing parses one per issue.
        return (parsed - _EPOCH) // _MILLISECOND
    raise ImportRejected(f"{what} is not a date: {value!r}")


def offset_instant(value: Any) -> int | None:
    """Epoch milliseconds of Jira's usual date text (ISO 8601 with a UTC offset), else
    None: the short path a re-export's listing takes for each of its dates (three per
    issue of its selection), before `optional_instant`'s checks and messages."""
    if type(value) is not str or value[4:5] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else (parsed - _EPOCH) // _MILLISECOND


def optional_instant(value: Any, what: str) -> int | None:
    """Like `parse_instant`, but null, "" and Server's "<null>" mean no date."""
    if value is None or value in ("", "<null>"):
        return None
    return parse_instant(value, what)


def user_id(person: Any) -> str | None:
    """The stable id of a Jira user object: Cloud accountId, else Server key or name.

    Some Cloud responses blank `accountId` and keep it only in the `self` URL.
    """
    if not isinstance(person, dict):
        return None
    for key in ("accountId", "key", "name"):
        value = person.get(key)
        if isinstance(value, str) and value:
            return value
    self_url = person.get("self")
    if isinstance(self_url, str):
        found = parse_qs(urlsplit(self_url).query).get("accountId")
        if found and found[0]:
            return found[0]
    return None


def user_name(person: Any) -> str | None:
    """A user object's display name (falls back to its id)."""
    if not isinstance(person, dict):
        return None
    name = person.get("displayName")
    if isinstance(name, str) and name:
        return name
    return user_id(person)


def user_of(person: Any) -> User | None:
    """The catalog entry for a user object, or None when it identifies nobody."""
    person_id = user_id(person)
    if person_id is None:
        return None
    email = person.get("emailAddress") if isinstance(person, dict) else None
    return User(
        id=person_id,
        display_name=user_name(person) or person_id,
        email=email if isinstance(email, str) and email else None,
    )


def is_sprint_value(value: Any) -> bool:
    """Whether a field value is a Sprint field's: sprint objects or Server sprint strings."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(_is_sprint_item(item) for item in items)


def _is_sprint_item(item: Any) -> bool:
    if isinstance(item, str):
        return item.startswith(_GREENHOPPER_PREFIX)
    return (
        isinstance(item, dict)
        and "id" in item
        and "name" in item
        and ("state" in item or "boardId" in item or "originBoardId" in item)
    )


def parse_sprints(value: Any, what: str) -> tuple[SprintRef, ...]:
    """The sprints a Sprint field names (value already checked by `is_sprint_value`)."""
    items = value if isinstance(value, list) else [value]
    return tuple(
        _greenhopper_sprint(item, what) if isinstance(item, str) else _sprint(item, what)
        for item in items
    )


def _sprint(item: dict[str, Any], what: str) -> SprintRef:
    board = item.get("boardId", item.get("originBoardId"))
    return SprintRef(
        id=integer_id(item.get("id"), f"{what} sprint id"),
        name=str(item.get("name") or ""),
        state=str(item["state"]).lower() if item.get("state") else None,
        board_id=integer_id(board, f"{what} sprint boardId") if board is not None else None,
        start_ms=optional_instant(item.get("startDate"), f"{what} sprint startDate"),
        end_ms=optional_instant(item.get("endDate"), f"{what} sprint endDate"),
        complete_ms=optional_instant(item.get("completeDate"), f"{what} sprint completeDate"),
    )


def _greenhopper_sprint(text: str, what: str) -> SprintRef:
    body = _GREENHOPPER_BODY.search(text)
    if body is None:
        raise ImportRejected(f"{what} has a sprint string of unknown shape: {text[:80]!r}")
    pairs = dict(
        part.split("=", 1) for part in _GREENHOPPER_PAIR_SPLIT.split(body.group(1)) if "=" in part
    )
    return _sprint(
        {
            "id": pairs.get("id"),
            "name": pairs.get("name", ""),
            "state": pairs.get("state"),
            "boardId": pairs.get("rapidViewId"),
            "startDate": pairs.get("startDate"),
            "endDate": pairs.get("endDate"),
            "completeDate": pairs.get("completeDate"),
        },
        what,
    )


def integer_id(value: Any, what: str) -> int:
    """A Jira numeric id, which JSON carries as a string or a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ImportRejected(f"{what} is not an integer: {value!r}")
