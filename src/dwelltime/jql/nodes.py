"""The parsed form of a JQL query, and the fields of the subset with their operators.

`jql.py` builds these nodes from text and validates them against `FIELDS`; `jql_sql.py`
compiles them to SQL. Nodes are plain frozen data so both stay independent of lark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

EMPTY_WORDS = frozenset({"empty", "null"})


@dataclass(frozen=True, slots=True)
class Value:
    """A literal operand; bare `EMPTY`/`NULL` mean no value, quoted ones are text."""

    text: str
    quoted: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.quoted and self.text.casefold() in EMPTY_WORDS


@dataclass(frozen=True, slots=True)
class Call:
    """A function operand such as `startOfMonth(-1)`; `name` is its canonical spelling."""

    name: str
    args: tuple[str, ...] = ()


Operand = Value | Call


@dataclass(frozen=True, slots=True)
class Clause:
    """`field operator operands`: one operand, a list for in / not in, none for is empty."""

    field: str
    operator: str  # = != ~ !~ > >= < <= in, not in, is empty, is not empty
    operands: tuple[Operand, ...] = ()


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True, slots=True)
class OrderKey:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class JqlQuery:
    """A whole query; `where` None means every issue (a query of only `order by`)."""

    where: Node | None
    order_by: tuple[OrderKey, ...] = ()


class Kind(Enum):
    """How a field's values compare, which decides its operators and its SQL."""

    PROJECT = "project"
    KEY = "key"
    TEXT = "text"
    STATUS = "status"
    STATUS_CATEGORY = "statusCategory"
    USER = "user"
    NAME = "name"  # a plain name column, compared ignoring case
    LIST = "list"  # a JSON array of names
    SPRINT = "sprint"
    DATE = "date"
    CUSTOM = "custom"
    SITE = "site"  # where the issue comes from: a Jira base URL or `demo`


EQUALITY = frozenset({"=", "!=", "in", "not in", "is empty", "is not empty"})
ORDERING = frozenset({">", ">=", "<", "<="})
CONTAINS = frozenset({"~", "!~", "is empty", "is not empty"})

OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.PROJECT: EQUALITY,
    Kind.KEY: EQUALITY | ORDERING,
    Kind.TEXT: CONTAINS,
    Kind.STATUS: EQUALITY,
    Kind.STATUS_CATEGORY: EQUALITY,
    Kind.USER: EQUALITY,
    Kind.NAME: EQUALITY,
    Kind.LIST: EQUALITY,
    Kind.SPRINT: EQUALITY,
    Kind.DATE: EQUALITY | ORDERING,
    Kind.CUSTOM: EQUALITY | ORDERING | CONTAINS,
    Kind.SITE: EQUALITY,
}


# Kinds whose values have an order that ORDER BY can use.
ORDERABLE = frozenset(Kind) - {Kind.LIST, Kind.SPRINT, Kind.STATUS_CATEGORY}

# statusCategory values (Jira's names, keys and ids) to the catalog's category keys.
STATUS_CATEGORIES = {
    "to do": "new",
    "new": "new",
    "2": "new",
    "in progress": "indeterminate",
    "indeterminate": "indeterminate",
    "4": "indeterminate",
    "done": "done",
    "3": "done",
    "no category": "undefined",
    "undefined": "undefined",
    "1": "undefined",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field of the subset: its canonical name and kind; `column` for single columns."""

    name: str
    kind: Kind
    column: str | None = None


FIELDS: dict[str, FieldSpec] = {
    alias: spec
    for spec, aliases in (
        (FieldSpec("project", Kind.PROJECT, "project_key"), ("project",)),
        (FieldSpec("site", Kind.SITE, "site"), ("site",)),
        (FieldSpec("key", Kind.KEY, "key"), ("key", "issuekey", "issue")),
        (FieldSpec("summary", Kind.TEXT, "summary"), ("summary",)),
        (FieldSpec("text", Kind.TEXT, "summary"), ("text",)),
        (FieldSpec("status", Kind.STATUS, "status_id"), ("status",)),
        (FieldSpec("statusCategory", Kind.STATUS_CATEGORY), ("statuscategory",)),
        (FieldSpec("assignee", Kind.USER, "assignee"), ("assignee",)),
        (FieldSpec("reporter", Kind.USER, "reporter"), ("reporter",)),
        (FieldSpec("issuetype", Kind.NAME, "issue_type"), ("issuetype", "type")),
        (FieldSpec("priority", Kind.NAME, "priority"), ("priority",)),
        (FieldSpec("resolution", Kind.NAME, "resolution"), ("resolution",)),
        (FieldSpec("labels", Kind.LIST, "labels"), ("labels", "label")),
        (FieldSpec("component", Kind.LIST, "components"), ("component", "components")),
        (FieldSpec("fixVersion", Kind.LIST, "fix_versions"), ("fixversion", "fixversions")),
        (FieldSpec("sprint", Kind.SPRINT), ("sprint",)),
        (FieldSpec("created", Kind.DATE, "created_ms"), ("created", "createddate")),
        (FieldSpec("updated", Kind.DATE, "updated_ms"), ("updated", "updateddate")),
        (
            FieldSpec("resolved", Kind.DATE, "resolution_date_ms"),
            ("resolved", "resolutiondate"),
        ),
    )
    for alias in aliases
}

_CUSTOM = re.compile(r"(?:customfield_|cf\[\s*)(\d{1,18})\s*\]?", re.IGNORECASE)


def field_spec(name: str) -> FieldSpec | None:
    """The spec of a field as written in JQL (any case; `cf[10020]` = `customfield_10020`)."""
    spec = FIELDS.get(name.casefold())
    if spec is not None:
        return spec
    match = _CUSTOM.fullmatch(name)
    if match is None or (name.casefold().startswith("cf[") != name.endswith("]")):
        return None
    return FieldSpec(f"customfield_{match.group(1)}", Kind.CUSTOM)
