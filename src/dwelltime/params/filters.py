"""Which issues a report covers: `filterType` and the companion parameter of each type.

The companion is checked as far as validation can without reading issues: a project key's
form, a sprint id's form, a saved filter's existence, and the JQL subset for both
`customjql` and a saved filter's stored query.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dwelltime.domain.issues import SavedFilter
from dwelltime.domain.selection import FilterType
from dwelltime.errors import InvalidParameters
from dwelltime.jql.parser import parse_jql
from dwelltime.params.values import MAX_ID_CHARS, ParamProblem, identifier

# Wire name of the parameter that carries each filter type's value.
COMPANIONS: dict[FilterType, str] = {
    "project": "projectKey",
    "user": "user",
    "jqlfilter": "jqlFilterID",
    "customjql": "customjql",
    "sprint": "sprintID",
}
_PROJECT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def filter_type(name: str, text: str) -> FilterType:
    """One of the filter types ignoring case; `advanced` is Timepiece's name for jqlfilter."""
    if text.casefold() == "advanced":
        return "jqlfilter"
    for known in COMPANIONS:
        if known == text.casefold():
            return known
    raise ParamProblem(f"{name}: {text!r:.80} is not one of {', '.join(COMPANIONS)}, advanced")


def companion_reader(
    kind: FilterType, saved_filter: Callable[[str], SavedFilter | None], checks_jql: bool = True
) -> Callable[[str, str], str]:
    """The reader of `kind`'s companion value; `saved_filter` looks up jqlfilter ids.

    `checks_jql` False (a Jira site runs the query, all of Jira's JQL) skips the subset check.
    """

    def read_saved_filter(name: str, text: str) -> str:
        saved = saved_filter(identifier(name, text))
        if saved is None:
            raise ParamProblem(f"{name}: no saved filter with id {text!r}")
        if checks_jql:
            check_jql(name, saved.jql, f"saved filter {text!r}: ")
        return text

    def read_custom_jql(name: str, text: str) -> str:
        if checks_jql:
            check_jql(name, text)
        elif not text.strip():
            raise ParamProblem(f"{name}: the JQL is empty")
        return text

    readers: dict[FilterType, Callable[[str, str], str]] = {
        "project": _project_key,
        "user": identifier,
        "jqlfilter": read_saved_filter,
        "customjql": read_custom_jql,
        "sprint": _sprint_id,
    }
    return readers[kind]


def check_jql(name: str, jql: str, context: str = "") -> None:
    """Refuse JQL outside the supported subset, naming `name` and the unsupported part."""
    try:
        parse_jql(jql, name)
    except InvalidParameters as error:
        reason = (error.messages or [error.message])[0].split(": ", 1)[-1]
        raise ParamProblem(f"{name}: {context}{reason}") from None


def _project_key(name: str, text: str) -> str:
    """Jira project keys are upper-case; `abc` means ABC."""
    if len(text) > MAX_ID_CHARS or not _PROJECT_KEY.fullmatch(text):
        raise ParamProblem(f"{name}: {text!r:.80} is not a project key (like ABC)")
    return text.upper()


def _sprint_id(name: str, text: str) -> str:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ParamProblem(f"{name}: {text!r:.80} is not a sprint id (a number)")
    return text
