"""The JQL subset of the local store: `parse_jql` checks a query and returns its nodes.

Parsing is lark LALR over grammar.lark; the tree becomes `nodes` objects, each checked
against the fields and operators of the subset so that anything unsupported is refused
before an export is queued, with a message naming the unsupported part.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, UnexpectedInput
from lark.exceptions import VisitError

from dwelltime.errors import InvalidParameters
from dwelltime.jql.dates import DATE_FUNCTIONS, DateProblem, date_expr
from dwelltime.jql.nodes import (
    FIELDS,
    OPERATORS,
    ORDERABLE,
    STATUS_CATEGORIES,
    And,
    Call,
    Clause,
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
from dwelltime.jql.problems import JqlProblem, position, syntax_message

# Bounds by what the databases accept, so that a query that parses also runs (see
# tests/sources/store/test_jql_limits.py). SQLite refuses expressions deeper than 1,000,
# and a chain of n ORs is n deep: 500 conditions stay under it. Its parser stack (100
# entries) overflows once parentheses nest about 15 groups deep (fewer for sprint and
# status clauses, which compile to subqueries): 20 levels of the query's tree stay under
# it. Values become bound parameters (32,766 per statement; a value may need three), and
# LIKE patterns are capped at 50,000 bytes (a character may need four).
MAX_JQL_CHARS = 100_000
MAX_DEPTH = 20  # levels of NOT / AND / OR inside each other (parentheses add none)
MAX_CLAUSES = 500
MAX_VALUES = 5_000
MAX_CONTAINS_CHARS = 1_000
SPRINT_FUNCTIONS = ("openSprints", "closedSprints", "futureSprints")
_KNOWN_FUNCTIONS = {name.casefold(): name for name in ("now", *DATE_FUNCTIONS, *SPRINT_FUNCTIONS)}
_SUPPORTED_FIELDS = ", ".join(dict.fromkeys(spec.name for spec in FIELDS.values()))
# Jira functions that need a Jira session or data the store does not keep.
_SESSION_FUNCTIONS = {"currentuser", "membersof", "currentlogin", "lastlogin"}
_ISSUE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*-\d{1,18}")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def parse_jql(text: str, parameter: str = "customjql") -> JqlQuery:
    """The checked query, or InvalidParameters(["<parameter>: <what is wrong>"])."""
    try:
        return _parse(text)
    except JqlProblem as problem:
        raise InvalidParameters([f"{parameter}: {problem}"]) from None


def prepare_parser() -> None:
    """Build the parser now, once: a process that forks job processes (`dwelltime worker`,
    before its pool starts) then hands it to all of them, where each child built its own
    on its first export (0.07-0.2 s, on the critical path of a split export's planner and
    of each worker's first chunk)."""
    _parser()


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=False)


@lru_cache(maxsize=64)
def _parse(text: str) -> JqlQuery:
    """Kept per text (the nodes are immutable): a synchronous page parses its query four
    times (checked with the parameters, compiled for its window, its count and its
    columns), 3% of the page's work; a refused query raises anew each time."""
    if len(text) > MAX_JQL_CHARS:
        raise JqlProblem(f"the query is longer than {MAX_JQL_CHARS:,} characters")
    if "\x00" in text:
        raise JqlProblem("the query contains a NUL character")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise JqlProblem(syntax_message(text, error)) from None
    _check_size(tree)
    try:
        query = _ToAst().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, JqlProblem):
            raise error.orig_exc from None
        raise
    assert isinstance(query, JqlQuery)
    return query


def _check_size(tree: Tree[Token]) -> None:
    """Refuse deep or huge trees before the recursive transformer and compiler see them."""
    clauses = values = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JqlProblem(f"the query is nested more than {MAX_DEPTH} levels deep")
        if node.data in ("compare", "in_", "not_in", "is_", "is_not"):
            clauses += 1
        elif node.data in ("bare", "quoted", "function"):
            values += 1
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    if clauses > MAX_CLAUSES:
        raise JqlProblem(f"the query has more than {MAX_CLAUSES:,} conditions")
    if values > MAX_VALUES:
        raise JqlProblem(f"the query has more than {MAX_VALUES:,} values")


class _ToAst(Transformer[Token, object]):
    """lark tree → jql_ast nodes, checking each clause against the subset as it goes."""

    def start(self, children: list[object]) -> JqlQuery:
        where = children[0] if len(children) > 0 else None
        order = children[1] if len(children) > 1 else None
        assert where is None or isinstance(where, Node)
        return JqlQuery(where=where, order_by=tuple(order) if isinstance(order, list) else ())

    def or_(self, children: list[Node]) -> Node:
        return Or(tuple(children))

    def and_(self, children: list[Node]) -> Node:
        return And(tuple(children))

    def not_(self, children: list[Node]) -> Node:
        return Not(children[0])

    def field(self, children: list[Token]) -> str:
        token = children[0]
        name = _unquote(token) if token.type == "STRING" else str(token)
        spec = field_spec(name)
        if spec is None:
            where = position(token.line, token.column)
            raise JqlProblem(
                f"the field {name!r:.60} {where} is not supported; supported fields: "
                f"{_SUPPORTED_FIELDS} and customfield_NNNNN / cf[NNNNN]"
            )
        return spec.name

    def bare(self, children: list[Token]) -> Value:
        return Value(str(children[0]))

    def quoted(self, children: list[Token]) -> Value:
        return Value(_unquote(children[0]), quoted=True)

    def function(self, children: list[Token | None]) -> Call:
        token = children[0]
        assert token is not None  # the name; only optional arguments are None
        name = str(token)
        canonical = _KNOWN_FUNCTIONS.get(name.casefold())
        where = position(token.line, token.column)
        if name.casefold() in _SESSION_FUNCTIONS:
            raise JqlProblem(
                f"the function {name}() {where} is not supported: reports run outside a Jira "
                "session (name the user or group's members instead)"
            )
        if canonical is None:
            raise JqlProblem(
                f"the function {name:.60}() {where} is not supported; supported: "
                + ", ".join(f"{function}()" for function in _KNOWN_FUNCTIONS.values())
            )
        args = tuple(
            _unquote(arg) if arg.type == "STRING" else str(arg) for arg in children[1:] if arg
        )
        return Call(canonical, args)

    def operand_list(self, children: list[Operand]) -> tuple[Operand, ...]:
        return tuple(children)

    def compare(self, children: list[object]) -> Clause:
        field, operator, operand = children
        assert isinstance(field, str) and isinstance(operand, Value | Call)
        if isinstance(operand, Value) and operand.is_empty and operator in ("=", "!="):
            return _checked(Clause(field, "is empty" if operator == "=" else "is not empty"))
        return _checked(Clause(field, str(operator), (operand,)))

    def in_(self, children: list[object]) -> Clause:
        return self._membership(children, "in")

    def not_in(self, children: list[object]) -> Clause:
        return self._membership(children, "not in")

    def is_(self, children: list[object]) -> Clause:
        return self._emptiness(children, "is empty")

    def is_not(self, children: list[object]) -> Clause:
        return self._emptiness(children, "is not empty")

    def order_by(self, children: list[OrderKey]) -> list[OrderKey]:
        return children

    def order_key(self, children: list[object]) -> OrderKey:
        field = children[0]
        assert isinstance(field, str)
        spec = field_spec(field)
        assert spec is not None
        if spec.kind not in ORDERABLE or field == "text":
            raise JqlProblem(f"ORDER BY {field} is not supported (its values have no order)")
        descending = len(children) > 1 and str(children[1]).casefold() == "desc"
        return OrderKey(field, descending)

    def _membership(self, children: list[object], operator: str) -> Clause:
        field, operands = children
        assert isinstance(field, str)
        listed = operands if isinstance(operands, tuple) else (operands,)
        assert all(isinstance(operand, Value | Call) for operand in listed)
        return _checked(Clause(field, operator, listed))

    def _emptiness(self, children: list[object], operator: str) -> Clause:
        field, word = children
        assert isinstance(field, str)
        if str(word).casefold() not in ("empty", "null"):
            raise JqlProblem(f"IS must be followed by EMPTY or NULL, not {str(word)!r:.40}")
        return _checked(Clause(field, operator))


def _checked(clause: Clause) -> Clause:
    """The clause if its field supports its operator and its operands have the right form."""
    spec = field_spec(clause.field)
    assert spec is not None  # field() has resolved it
    if clause.operator not in OPERATORS[spec.kind]:
        raise JqlProblem(
            f"the operator {clause.operator.upper()!r} is not supported for the field "
            f"{clause.field!r}; use {', '.join(sorted(op.upper() for op in OPERATORS[spec.kind]))}"
        )
    for operand in clause.operands:
        _check_operand(spec.kind, clause, operand)
    return clause


def _check_operand(kind: Kind, clause: Clause, operand: Operand) -> None:
    if kind is Kind.DATE and not (isinstance(operand, Value) and operand.is_empty):
        try:
            date_expr(operand)
        except DateProblem as problem:
            raise JqlProblem(f"{clause.field}: {problem}") from None
        return
    if isinstance(operand, Call):
        if kind is Kind.SPRINT and operand.name in SPRINT_FUNCTIONS and not operand.args:
            return
        raise JqlProblem(f"the function {operand.name}() cannot be used with {clause.field!r}")
    if operand.is_empty:
        return
    if clause.operator in ("~", "!~") and len(operand.text) > MAX_CONTAINS_CHARS:
        raise JqlProblem(
            f"{clause.field} {clause.operator}: the text is longer than "
            f"{MAX_CONTAINS_CHARS:,} characters"
        )
    if kind is Kind.STATUS_CATEGORY and operand.text.casefold() not in STATUS_CATEGORIES:
        raise JqlProblem(
            f"statusCategory: {operand.text!r:.60} is not a status category "
            "(To Do, In Progress, Done)"
        )
    ordering = clause.operator in ("<", "<=", ">", ">=")
    if kind is Kind.KEY and ordering and not _ISSUE_KEY.fullmatch(operand.text):
        raise JqlProblem(f"{operand.text!r:.60} is not an issue key (like ABC-123)")
    if kind is Kind.CUSTOM and ordering:
        try:
            float(operand.text)
        except ValueError:
            raise JqlProblem(
                f"{clause.field} {clause.operator} needs a number, not {operand.text!r:.60}"
            ) from None


def _unquote(token: Token | str) -> str:
    """The text of a quoted string: quotes removed, backslash escapes resolved."""
    body = str(token)[1:-1]

    def replace(match: re.Match[str]) -> str:
        escaped = match.group(1)
        if escaped.startswith("u") and len(escaped) == 5:
            code = int(escaped[1:], 16)
            if 0xD800 <= code <= 0xDFFF:
                raise JqlProblem(f"\\{escaped} is half of a surrogate pair, not a character")
            return chr(code)
        return _ESCAPES.get(escaped, escaped)

    return _ESCAPE.sub(replace, body)
