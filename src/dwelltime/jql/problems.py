"""Messages for JQL the subset refuses: what is wrong, and where (line and column).

lark reports grammar errors in terms of its terminals; these turn them into words a JQL
author recognises, and name history operators (WAS, CHANGED) as unsupported outright.
"""

from __future__ import annotations

from lark import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

# History operators of full JQL; the store answers only about issues as they are now.
_HISTORY_WORDS = {"was", "changed", "during", "before", "after", "by", "from", "to", "on"}
_EXPECTED_NAMES = {
    "COMPARE": "an operator (=, !=, ~, >, ...)",
    "_IN": "IN",
    "_IS": "IS",
    "_NOT": "NOT",
    "_AND": "AND",
    "_OR": "OR",
    "_ORDER_BY": "ORDER BY",
    "_BANG": "'!'",
    "WORD": "a field name or value",
    "STRING": "a quoted text",
    "CUSTOM_FIELD": "cf[NNNNN]",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "the end of the query",
    "DIRECTION": "ASC or DESC",
}


class JqlProblem(ValueError):
    """Why a query is outside the subset, phrased for the person who wrote it."""


def syntax_message(text: str, error: UnexpectedInput) -> str:
    """lark's complaint about `text` as a sentence naming the offending part and place."""
    where = position(error.line, error.column)
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream
        char = text[offset] if offset is not None and offset < len(text) else ""
        if char in ("'", '"'):
            return f"unterminated string starting {where}"
        return f"unexpected character {char!r} {where}"
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return f"the query ends too early (expected {_expected(error)})"
    assert isinstance(error, UnexpectedToken)
    word = str(error.token)
    if word.casefold() in _HISTORY_WORDS and "COMPARE" in error.expected:
        return (
            f"the operator {word.upper()!r} {where} is not supported: history searches "
            "(WAS, CHANGED) are outside the subset; use =, !=, ~, IN, IS EMPTY, <, >"
        )
    return f"unexpected {word!r:.60} {where} (expected {_expected(error)})"


def position(line: int | None, column: int | None) -> str:
    """Where in the query, as a person counts: the line only once there is more than one."""
    if line is None or column is None:
        return ""
    return f"at column {column}" if line == 1 else f"at line {line}, column {column}"


def _expected(error: UnexpectedInput) -> str:
    names = sorted(
        {_EXPECTED_NAMES.get(name, name) for name in getattr(error, "expected", ()) or ()}
    )
    return ", ".join(names) or "more"
