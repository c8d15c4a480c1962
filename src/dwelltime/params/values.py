"""Readers for single report-parameter values: enums, booleans, lists, ids and dates.

Each reader raises `ParamProblem` with a message that names the parameter, so
`param_parsing` can collect every problem of a request before answering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from dwelltime.domain.local_time import wall_to_instant_ms

# Limits that keep one request from occupying a worker with absurd work; docs/parameters.md.
MAX_VALUE_CHARS = 100_000
MAX_LIST_ITEMS = {
    "statuses": 1_000,
    "fields": 100,
    "groupByFields": 20,
    "historyFields": 20,
    "assignees": 1_000,
}
CALC_PREFIX = "calc:"
MAX_ID_CHARS = 255

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?")

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


class ParamProblem(Exception):
    """One bad parameter; the message starts with the parameter's wire name."""


def clean_text(name: str, text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """`text` stripped, refusing oversized values and control characters (NUL above all)."""
    if len(text) > limit:
        raise ParamProblem(f"{name}: the value is longer than {limit:,} characters")
    if _CONTROL.search(text):
        raise ParamProblem(f"{name}: the value contains a control character")
    if not is_unicode(text):
        raise ParamProblem(f"{name}: the value is not valid Unicode text (a lone surrogate)")
    return text.strip()


def is_unicode(text: str) -> bool:
    """Whether `text` can be encoded at all: JSON's `\ud800` escapes decode to lone
    surrogates, which no database, file or token library accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def distinct_texts(name: str, values: Sequence[str]) -> list[str]:
    """The cleaned, non-blank copies of a parameter, each once."""
    return list(dict.fromkeys(text for text in (clean_text(name, v) for v in values) if text))


def single(name: str, values: Sequence[str]) -> str | None:
    """The one value of a single-valued parameter; None when absent or blank.

    A repeated parameter is accepted only when every copy says the same thing.
    """
    return one_of_copies(name, distinct_texts(name, values))


def one_of_copies(name: str, copies: Sequence[T]) -> T | None:
    """The value all `copies` of a parameter agree on; None when there are none."""
    distinct: list[T] = []
    for copy in copies:
        if copy not in distinct:
            distinct.append(copy)
    if len(distinct) > 1:
        raise ParamProblem(f"{name}: expected one value, got {len(distinct)} different ones")
    return distinct[0] if distinct else None


def enum_value(name: str, text: str, enum: type[E], aliases: dict[str, E] | None = None) -> E:
    """The member of `enum` whose value equals `text` ignoring case (or an alias of one)."""
    folded = text.casefold()
    for member in enum:
        if member.value.casefold() == folded:
            return member
    for alias, member in (aliases or {}).items():
        if alias.casefold() == folded:
            return member
    choices = ", ".join(member.value for member in enum)
    raise ParamProblem(f"{name}: {_quoted(text)} is not one of {choices}")


def choice(name: str, text: str, choices: Sequence[str]) -> str:
    """The entry of `choices` equal to `text` ignoring case."""
    for option in choices:
        if option.casefold() == text.casefold():
            return option
    raise ParamProblem(f"{name}: {_quoted(text)} is not one of {', '.join(choices)}")


def boolean(name: str, text: str) -> bool:
    folded = text.casefold()
    if folded in ("true", "false"):
        return folded == "true"
    raise ParamProblem(f"{name}: {_quoted(text)} is not true or false")


def items(name: str, values: Sequence[str]) -> tuple[str, ...]:
    """A list parameter: comma-separated and/or repeated, blanks dropped, duplicates once."""
    found: list[str] = []
    for value in values:
        found.extend(part.strip() for part in clean_text(name, value).split(","))
    unique = tuple(dict.fromkeys(part for part in found if part))
    limit = MAX_LIST_ITEMS.get(name)
    if limit is not None and len(unique) > limit:
        raise ParamProblem(f"{name}: at most {limit:,} values are accepted, got {len(unique):,}")
    return unique


def identifier(name: str, text: str) -> str:
    """An opaque id (status, calendar, filter, parameter set), at most MAX_ID_CHARS long."""
    if len(text) > MAX_ID_CHARS:
        raise ParamProblem(f"{name}: {_quoted(text)} is longer than {MAX_ID_CHARS} characters")
    return text


def field_ids(name: str, values: Sequence[str], calculated: Sequence[str] = ()) -> tuple[str, ...]:
    """Jira field ids such as `summary` or `customfield_10020`, and the `calc:` ids of
    `calculated` in any case (returned as spelled there)."""
    ids: list[str] = []
    for field in items(name, values):
        if field[: len(CALC_PREFIX)].casefold() == CALC_PREFIX:
            known = {calc.casefold(): calc for calc in calculated}
            if field.casefold() not in known:
                choices = ", ".join(calculated) or "none here"
                raise ParamProblem(
                    f"{name}: {_quoted(field)} is not a calculated field (known: {choices})"
                )
            ids.append(known[field.casefold()])
        elif len(field) > MAX_ID_CHARS or not _FIELD_ID.fullmatch(field):
            raise ParamProblem(
                f"{name}: {_quoted(field)} is not a field id (e.g. customfield_10020)"
            )
        else:
            ids.append(field)
    return tuple(dict.fromkeys(ids))


def date_ms(name: str, text: str, zone: ZoneInfo, *, end: bool) -> int:
    """`yyyy-MM-dd[ HH:mm]` read in `zone` as epoch milliseconds.

    A date without a time is the whole day: its start, or for an end bound (`end`) the
    next local midnight, so `endDate=2026-03-31` includes all of March 31 (the bound is
    exclusive). Wall times in a DST gap map to the transition, as the engine reads them.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        raise ParamProblem(
            f"{name}: {_quoted(text)} is not a date like 2026-03-31 or 2026-03-31 14:30"
        )
    year, month, day, hour, minute = match.groups()
    try:
        local_day = date(int(year), int(month), int(day))
        if hour is None:
            if end:
                local_day += timedelta(days=1)
            return wall_to_instant_ms(zone, local_day)
        if int(hour) > 23 or int(minute) > 59:
            raise ValueError("time of day out of range")
        return wall_to_instant_ms(zone, local_day, (int(hour) * 60 + int(minute)) * 60_000)
    except (ValueError, OverflowError) as error:
        raise ParamProblem(f"{name}: {_quoted(text)} is not a valid date ({error})") from None


def _quoted(text: str) -> str:
    """A value quoted for a message, cut short so a huge input does not flood the reply."""
    return repr(text if len(text) <= 80 else text[:77] + "...")
