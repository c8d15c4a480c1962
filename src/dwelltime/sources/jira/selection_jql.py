"""A `Selection` as the JQL Jira runs: each filter type mapped, date filters added.

Jira reads JQL dates in the *user's* profile time zone, which dwelltime does not know, so
date bounds go to Jira widened by a day on each side (enough for any zone) and the exact
instants are applied to the listing's own dates afterwards (`within_dates`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from dwelltime.domain.selection import Selection
from dwelltime.errors import NotFound
from dwelltime.sources.jira.editions import Listed

_DAY_MS = 86_400_000
_JQL_DATE_FIELDS = {"created": "created", "resolved": "resolved", "updated": "updated"}
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


def split_order_by(jql: str) -> tuple[str, str]:
    """(`jql` without its ORDER BY clause, the clause or "") ignoring quoted text."""
    for found in reversed(list(_ORDER_BY.finditer(jql))):
        before = jql[: found.start()]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return before.strip(), jql[found.start() :].strip()
    return jql.strip(), ""


def with_clauses(jql: str, *clauses: str) -> str:
    """`jql` AND every clause, its ORDER BY kept last."""
    where, order = split_order_by(jql)
    parts = [f"({where})"] if where else []
    parts.extend(clauses)
    return " ".join([" AND ".join(parts), order]).strip()


def selection_jql(selection: Selection, saved_jql: Callable[[str], str | None]) -> str:
    """The JQL of `selection`; `saved_jql` reads a saved filter's query from Jira."""
    value = selection.filter_value
    match selection.filter_type:
        case "project":
            base = f"project = {_quoted(value)}"
        case "user":
            base = f"assignee was {_quoted(value)}"
        case "sprint":
            base = f"sprint = {int(value)}"
        case "customjql":
            base = value
        case "jqlfilter":
            found = saved_jql(value)
            if found is None:
                raise NotFound(
                    f"Saved filter {value} does not exist in Jira or you may not see it."
                )
            base = found
    field = _JQL_DATE_FIELDS[selection.date_field]
    clauses = []
    if selection.start_ms is not None:
        clauses.append(f'{field} >= "{_jql_minute(selection.start_ms - _DAY_MS)}"')
    if selection.end_ms is not None:
        clauses.append(f'{field} < "{_jql_minute(selection.end_ms + _DAY_MS)}"')
    return with_clauses(base, *clauses)


def within_dates(selection: Selection, listing: list[Listed]) -> list[Listed]:
    """The listed issues whose date field lies in the selection's exact bounds."""
    if selection.start_ms is None and selection.end_ms is None:
        return listing
    start = selection.start_ms
    end = selection.end_ms

    def inside(entry: Listed) -> bool:
        at = {
            "created": entry.created_ms,
            "resolved": entry.resolved_ms,
            "updated": entry.updated_ms,
        }[selection.date_field]
        return at is not None and (start is None or at >= start) and (end is None or at < end)

    return [entry for entry in listing if inside(entry)]


def is_ordered(jql: str) -> bool:
    """Whether `jql` fixes its own order (else dwelltime orders by issue id, as the store)."""
    return bool(split_order_by(jql)[1])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _jql_minute(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")
