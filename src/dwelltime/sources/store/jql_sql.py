"""A checked JQL query compiled to a SQLAlchemy Core condition over `schema.issues`.

Every positive test (`=`, `in`, `~`) is built to be true or false, never NULL, so that
`NOT` is the exact complement, as in Jira; `!=`, `not in` and `!~` additionally require
the field to have a value, as Jira's do (`assignee != x` leaves unassigned issues out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dwelltime.domain.sites import site_key
from dwelltime.errors import InvalidParameters
from dwelltime.jql.dates import DateProblem, date_expr
from dwelltime.jql.nodes import (
    STATUS_CATEGORIES,
    And,
    Call,
    Clause,
    FieldSpec,
    JqlQuery,
    Kind,
    Node,
    Not,
    Operand,
    Or,
    OrderKey,
    Value,
    field_spec,
)
from dwelltime.jql.parser import parse_jql
from dwelltime.sources.store import schema
from dwelltime.sources.store.json_sql import (
    array_contains,
    array_is_empty,
    custom_is_empty,
    custom_matches,
    custom_number,
    custom_text,
    lowered,
)

_issues = schema.issues
_SPRINT_STATES = {"openSprints": "active", "closedSprints": "closed", "futureSprints": "future"}


@dataclass(frozen=True)
class OrderTerm:
    """One expression of an ORDER BY and its direction: empty values sort last ascending
    and first descending (Jira's order), which a keyset page (`filters`) follows too."""

    expression: sa.ColumnElement[Any]
    descending: bool = False

    def clause(self) -> sa.ColumnElement[Any]:
        if self.descending:
            return self.expression.desc().nulls_first()
        return self.expression.asc().nulls_last()


@dataclass(frozen=True)
class CompiledJql:
    """`where` selects issues; `terms` are the query's ORDER BY (callers add a tiebreak)."""

    where: sa.ColumnElement[bool]
    terms: list[OrderTerm]

    @property
    def order_by(self) -> list[sa.ColumnElement[Any]]:
        return [term.clause() for term in self.terms]


def compile_query(query: JqlQuery, now_ms: int) -> CompiledJql:
    where = _node(query.where, now_ms) if query.where is not None else sa.true()
    terms = [term for key in query.order_by for term in _order(key)]
    return CompiledJql(where=where, terms=terms)


def _node(node: Node, now_ms: int) -> sa.ColumnElement[bool]:
    if isinstance(node, And):
        return sa.and_(*(_node(part, now_ms) for part in node.parts))
    if isinstance(node, Or):
        return sa.or_(*(_node(part, now_ms) for part in node.parts))
    if isinstance(node, Not):
        return sa.not_(_node(node.part, now_ms))
    return _clause(node, now_ms)


def _spec(name: str) -> FieldSpec:
    spec = field_spec(name)
    assert spec is not None  # the parser resolved every field
    return spec


def _clause(clause: Clause, now_ms: int) -> sa.ColumnElement[bool]:
    spec = _spec(clause.field)
    operator = clause.operator
    if operator == "is empty":
        return _empty(spec)
    if operator == "is not empty":
        return sa.not_(_empty(spec))
    empties = [operand for operand in clause.operands if _means_empty(spec, operand)]
    operands = [operand for operand in clause.operands if not _means_empty(spec, operand)]
    if operator in ("=", "in"):
        matches = [_equals(spec, operands, now_ms)] if operands else []
        return sa.or_(*matches, *([_empty(spec)] if empties else []))
    if operator in ("!=", "not in"):
        if not operands:
            return sa.not_(_empty(spec))
        return sa.and_(sa.not_(_empty(spec)), sa.not_(_equals(spec, operands, now_ms)))
    (operand,) = operands
    if spec.kind is Kind.DATE:
        column = _column(spec)
        instant = date_expr(operand).resolve(now_ms)
        return sa.and_(column.is_not(None), column.op(operator)(instant))
    assert isinstance(operand, Value)  # the parser allows functions only for dates and sprints
    if operator == "~":
        return _contains(spec, operand.text)
    if operator == "!~":
        return sa.and_(sa.not_(_empty(spec)), sa.not_(_contains(spec, operand.text)))
    return _ordered(spec, operator, operand)


def _means_empty(spec: FieldSpec, operand: Operand) -> bool:
    """Bare EMPTY/NULL, and for resolution Jira's bare `Unresolved`."""
    if not isinstance(operand, Value):
        return False
    unresolved = spec.name == "resolution" and not operand.quoted
    return operand.is_empty or (unresolved and operand.text.casefold() == "unresolved")


def _column(spec: FieldSpec) -> sa.ColumnElement[Any]:
    assert spec.column is not None
    return _issues.c[spec.column]


def _texts(operands: list[Operand]) -> list[str]:
    return [operand.text for operand in operands if isinstance(operand, Value)]


def _lower_in(column: sa.ColumnElement[Any], values: list[str]) -> sa.ColumnElement[bool]:
    """`column` equals one of `values` ignoring case; false (not NULL) when it is NULL."""
    return sa.and_(column.is_not(None), sa.func.lower(column).in_(lowered(values)))


def _equals(spec: FieldSpec, operands: list[Operand], now_ms: int) -> sa.ColumnElement[bool]:
    texts = _texts(operands)
    kind = spec.kind
    if kind is Kind.PROJECT:
        named = sa.select(schema.projects.c.key).where(
            sa.or_(
                sa.func.lower(schema.projects.c.name).in_(lowered(texts)),
                schema.projects.c.id.in_(texts),
            )
        )
        return sa.or_(
            _lower_in(_issues.c.project_key, texts),
            sa.and_(_issues.c.project_key.is_not(None), _issues.c.project_key.in_(named)),
        )
    if kind is Kind.STATUS:
        return _status_in(texts)
    if kind is Kind.STATUS_CATEGORY:
        categories = sorted({STATUS_CATEGORIES[text.casefold()] for text in texts})
        in_category = sa.select(schema.statuses.c.id).where(
            schema.statuses.c.category.in_(categories)
        )
        return sa.and_(_issues.c.status_id.is_not(None), _issues.c.status_id.in_(in_category))
    if kind is Kind.USER:
        return _user_in(spec.name, texts)
    if kind is Kind.LIST:
        return array_contains(_column(spec), texts)
    if kind is Kind.SPRINT:
        return _sprint_in(operands)
    if kind is Kind.DATE:
        instants = [date_expr(operand).resolve(now_ms) for operand in operands]
        return sa.and_(_column(spec).is_not(None), _column(spec).in_(instants))
    if kind is Kind.CUSTOM:
        return custom_matches(_issues.c.fields, spec.name, texts)
    if kind is Kind.SITE:
        return _issues.c.site.in_(sorted({site_key(text) for text in texts}))
    return _lower_in(_column(spec), texts)  # KEY and NAME: case-insensitive names


def _status_in(texts: list[str]) -> sa.ColumnElement[bool]:
    """A status given by id, or by name: any catalog id with that name, or the issue's name."""
    status_id = _issues.c.status_id
    named = sa.select(schema.statuses.c.id).where(
        sa.func.lower(schema.statuses.c.name).in_(lowered(texts))
    )
    return sa.or_(
        sa.and_(status_id.is_not(None), status_id.in_(texts)),
        sa.and_(status_id.is_not(None), status_id.in_(named)),
        _lower_in(_issues.c.status_name, texts),
    )


def _user_in(field: str, texts: list[str]) -> sa.ColumnElement[bool]:
    """A person by account id or display name (the issue's copy or the users table's)."""
    user_id = _issues.c[f"{field}_id"]
    named = sa.select(schema.users.c.id).where(
        sa.func.lower(schema.users.c.display_name).in_(lowered(texts))
    )
    return sa.or_(
        sa.and_(user_id.is_not(None), user_id.in_(texts)),
        sa.and_(user_id.is_not(None), user_id.in_(named)),
        _lower_in(_issues.c[f"{field}_name"], texts),
    )


def _sprint_in(operands: list[Operand]) -> sa.ColumnElement[bool]:
    """In one of the sprints given by id, by name or by state function (openSprints())."""
    sprints = schema.sprints
    texts = _texts(operands)
    ids = [int(text) for text in texts if text.isascii() and text.isdigit() and len(text) < 19]
    states = [_SPRINT_STATES[operand.name] for operand in operands if isinstance(operand, Call)]
    chosen = sa.select(sprints.c.id).where(
        sa.or_(
            sa.func.lower(sprints.c.name).in_(lowered(texts)),
            sa.func.lower(sprints.c.state).in_(states),
        )
    )
    link = schema.issue_sprints
    return sa.exists(
        sa.select(sa.literal(1))
        .select_from(link)
        .where(
            link.c.issue_id == _issues.c.id,
            sa.or_(link.c.sprint_id.in_(ids), link.c.sprint_id.in_(chosen)),
        )
    )


def _empty(spec: FieldSpec) -> sa.ColumnElement[bool]:
    kind = spec.kind
    if kind is Kind.USER:
        return sa.and_(
            _issues.c[f"{spec.name}_id"].is_(None), _issues.c[f"{spec.name}_name"].is_(None)
        )
    if kind is Kind.LIST:
        return array_is_empty(_column(spec))
    if kind is Kind.SPRINT:
        link = schema.issue_sprints
        return ~sa.exists(sa.select(sa.literal(1)).where(link.c.issue_id == _issues.c.id))
    if kind is Kind.STATUS_CATEGORY:
        categorised = sa.select(schema.statuses.c.id).where(schema.statuses.c.category.is_not(None))
        return sa.or_(_issues.c.status_id.is_(None), _issues.c.status_id.not_in(categorised))
    if kind is Kind.CUSTOM:
        return custom_is_empty(_issues.c.fields, spec.name)
    if kind is Kind.TEXT:
        return sa.or_(_column(spec).is_(None), _column(spec) == "")
    return _column(spec).is_(None)


def _contains(spec: FieldSpec, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring test; `*` and `?` are wildcards as in Jira."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = "%" + escaped.replace("*", "%").replace("?", "_") + "%"
    target = custom_text(_issues.c.fields, spec.name) if spec.kind is Kind.CUSTOM else _column(spec)
    return sa.and_(
        target.is_not(None),
        sa.func.lower(target).like(sa.func.lower(sa.literal(pattern, sa.String)), escape="\\"),
    )


def _ordered(spec: FieldSpec, operator: str, operand: Value) -> sa.ColumnElement[bool]:
    """`>`, `<`, ... on a number in a custom field or on an issue key's number."""
    if spec.kind is Kind.CUSTOM:
        number = custom_number(_issues.c.fields, spec.name)
        return sa.and_(number.is_not(None), number.op(operator)(float(operand.text)))
    project, number_text = operand.text.rsplit("-", 1)
    return sa.and_(
        sa.func.upper(_issues.c.project_key) == project.upper(),
        _issues.c.key.like(_issues.c.project_key + "-%"),
        _key_number().op(operator)(int(number_text)),
    )


def _key_number() -> sa.ColumnElement[int]:
    """The number after `PROJECT-` in an issue key, portable to SQLite and PostgreSQL."""
    start = sa.func.length(_issues.c.project_key) + 2
    return sa.cast(sa.func.substr(_issues.c.key, start), sa.BigInteger)


def _order(key: OrderKey) -> list[OrderTerm]:
    """ORDER BY terms of one JQL sort key."""
    spec = _spec(key.field)
    expressions: list[sa.ColumnElement[Any]]
    if spec.kind is Kind.KEY:
        expressions = [_issues.c.project_key, _key_number()]
    elif spec.kind is Kind.CUSTOM:
        expressions = [
            custom_number(_issues.c.fields, spec.name),
            custom_text(_issues.c.fields, spec.name),
        ]
    elif spec.kind is Kind.STATUS:
        expressions = [_issues.c.status_name]
    elif spec.kind is Kind.USER:
        expressions = [_issues.c[f"{spec.name}_name"]]
    else:
        expressions = [_column(spec)]
    return [OrderTerm(expression, key.descending) for expression in expressions]


def compile_jql(text: str, now_ms: int, parameter: str = "customjql") -> CompiledJql:
    """SQL over `schema.issues` for `text`; relative dates count from `now_ms`."""
    query = parse_jql(text, parameter)
    try:
        return compile_query(query, now_ms)
    except DateProblem as problem:
        raise InvalidParameters([f"{parameter}: {problem}"]) from None
