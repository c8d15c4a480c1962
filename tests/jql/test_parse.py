"""parse_jql: the subset's syntax into jql_ast nodes, and clear refusals of everything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.errors import InvalidParameters
from dwelltime.jql.nodes import And, Call, Clause, JqlQuery, Not, Or, OrderKey, Value
from dwelltime.jql.parser import MAX_CLAUSES, MAX_DEPTH, parse_jql
from dwelltime.sources.store.jql_sql import compile_jql


def _eq(field: str, text: str, quoted: bool = False) -> Clause:
    return Clause(field, "=", (Value(text, quoted),))


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        pytest.param("", JqlQuery(None), id="empty"),
        pytest.param("   ", JqlQuery(None), id="blank"),
        pytest.param("project = ABC", JqlQuery(_eq("project", "ABC")), id="bare-value"),
        pytest.param("PROJECT=ABC", JqlQuery(_eq("project", "ABC")), id="field-any-case"),
        pytest.param(
            'summary ~ "a \\"b\\"\\n"',
            JqlQuery(Clause("summary", "~", (Value('a "b"\n', quoted=True),))),
            id="double-quoted-escapes",
        ),
        pytest.param(
            "status = 'In Progress'",
            JqlQuery(_eq("status", "In Progress", True)),
            id="single-quoted",
        ),
        pytest.param(
            'labels = "\\u00e9t\\u00e9"', JqlQuery(_eq("labels", "été", True)), id="unicode-escape"
        ),
        pytest.param("status = 已完成", JqlQuery(_eq("status", "已完成")), id="non-ascii-bare"),
        pytest.param("issuekey = ABC-1", JqlQuery(_eq("key", "ABC-1")), id="alias"),
        pytest.param("cf[10020] = 5", JqlQuery(_eq("customfield_10020", "5")), id="cf-short"),
        pytest.param(
            "CustomField_10020 = 5", JqlQuery(_eq("customfield_10020", "5")), id="cf-long"
        ),
        pytest.param("status = in", JqlQuery(_eq("status", "in")), id="keyword-as-value"),
        pytest.param("assignee = EMPTY", JqlQuery(Clause("assignee", "is empty")), id="eq-empty"),
        pytest.param(
            "assignee != null", JqlQuery(Clause("assignee", "is not empty")), id="ne-null"
        ),
        pytest.param(
            'assignee = "EMPTY"',
            JqlQuery(_eq("assignee", "EMPTY", True)),
            id="quoted-empty-is-text",
        ),
        pytest.param(
            "labels IS NOT EMPTY", JqlQuery(Clause("labels", "is not empty")), id="is-not"
        ),
        pytest.param(
            "status not in (1, '3')",
            JqlQuery(Clause("status", "not in", (Value("1"), Value("3", True)))),
            id="not-in",
        ),
        pytest.param(
            "key = 1 and type = 2 or priority = 3",
            JqlQuery(Or((And((_eq("key", "1"), _eq("issuetype", "2"))), _eq("priority", "3")))),
            id="and-binds-tighter",
        ),
        pytest.param(
            "not status = 1 and not (priority = 2 or priority = 3)",
            JqlQuery(
                And(
                    (
                        Not(_eq("status", "1")),
                        Not(Or((_eq("priority", "2"), _eq("priority", "3")))),
                    )
                )
            ),
            id="not-and-parentheses",
        ),
        pytest.param(
            "status = 1 or status = 2 or status = 3",
            JqlQuery(Or((_eq("status", "1"), _eq("status", "2"), _eq("status", "3")))),
            id="chains-stay-flat",
        ),
        pytest.param(
            "created >= startofmonth(-1)",
            JqlQuery(Clause("created", ">=", (Call("startOfMonth", ("-1",)),))),
            id="function-any-case",
        ),
        pytest.param(
            "sprint in openSprints()",
            JqlQuery(Clause("sprint", "in", (Call("openSprints"),))),
            id="in-function",
        ),
        pytest.param(
            "order by created DESC, key",
            JqlQuery(None, (OrderKey("created", True), OrderKey("key"))),
            id="order-only",
        ),
        pytest.param(
            "project = A ORDER  BY priority asc",
            JqlQuery(_eq("project", "A"), (OrderKey("priority"),)),
            id="order-by-spaces",
        ),
    ],
)
def test_parses_into_nodes(jql: str, expected: JqlQuery) -> None:
    assert parse_jql(jql) == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        pytest.param(
            "status WAS Done", "the operator 'WAS' at column 8 is not supported", id="was"
        ),
        pytest.param("status changed", "the operator 'CHANGED' at column 8", id="changed"),
        pytest.param("foo = 1", "the field 'foo' at column 1 is not supported", id="unknown-field"),
        pytest.param('"Story Points" > 3', "the field 'Story Points'", id="field-by-name"),
        pytest.param("project = A\nAND bar = 1", "at line 2, column 5", id="multi-line-position"),
        pytest.param(
            "assignee = currentUser()",
            "currentUser() at column 12 is not supported",
            id="current-user",
        ),
        pytest.param("assignee in membersOf(devs)", "membersOf() at column 13", id="members-of"),
        pytest.param(
            "created > lastWeek()",
            "lastWeek() at column 11 is not supported",
            id="unknown-function",
        ),
        pytest.param(
            "status = startOfDay()",
            "startOfDay() cannot be used with 'status'",
            id="function-wrong-field",
        ),
        pytest.param(
            "summary = x",
            "the operator '=' is not supported for the field 'summary'",
            id="summary-eq",
        ),
        pytest.param(
            "status ~ x",
            "the operator '~' is not supported for the field 'status'",
            id="status-contains",
        ),
        pytest.param(
            "priority > High",
            "the operator '>' is not supported for the field 'priority'",
            id="priority-order",
        ),
        pytest.param("key > 12", "'12' is not an issue key", id="key-order-needs-key"),
        pytest.param("cf[1] > high", "needs a number", id="custom-order-needs-number"),
        pytest.param("created > yesterday", "'yesterday' is not a date", id="bad-date"),
        pytest.param("created > 2026-02-30", "is not a valid date", id="impossible-date"),
        pytest.param("created > startOfDay(x)", "'x' is not an offset", id="bad-offset"),
        pytest.param("created > -999999y", "a thousand years", id="huge-offset"),
        pytest.param("created > now(1)", "now() takes no argument", id="now-argument"),
        pytest.param("statusCategory = Blocked", "is not a status category", id="bad-category"),
        pytest.param("status is Done", "IS must be followed by EMPTY or NULL", id="is-value"),
        pytest.param(
            'summary ~ "open', "unterminated string starting at column 11", id="unterminated"
        ),
        pytest.param("status = ", "the query ends too early", id="missing-value"),
        pytest.param("(status = 1", "ends too early (expected ')'", id="unclosed-parenthesis"),
        pytest.param("status = 1)", "unexpected ')' at column 11", id="extra-parenthesis"),
        pytest.param("status = 1 status = 2", "unexpected 'status' at column 12", id="missing-and"),
        pytest.param("status = a#b$c & d", "unexpected character '&'", id="bad-character"),
        pytest.param("order by labels", "ORDER BY labels is not supported", id="order-by-list"),
        pytest.param("order by text", "ORDER BY text is not supported", id="order-by-text"),
        pytest.param("status = a\x00", "NUL", id="nul"),
    ],
)
def test_refuses_naming_the_unsupported_part(jql: str, message: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_jql(jql)
    assert caught.value.messages is not None and len(caught.value.messages) == 1
    assert caught.value.messages[0].startswith("customjql: ")
    assert message in caught.value.messages[0]


def test_the_parameter_name_is_the_callers() -> None:
    with pytest.raises(InvalidParameters) as caught:
        compile_jql("foo = 1", 0, "jqlFilterID")
    assert caught.value.messages is not None
    assert caught.value.messages[0].startswith("jqlFilterID: the field 'foo'")


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        pytest.param("not " * (MAX_DEPTH + 1) + "status = 1", "nested", id="deep-not"),
        pytest.param(
            " or ".join(["status = 1"] * (MAX_CLAUSES + 1)), "conditions", id="many-clauses"
        ),
        pytest.param("summary ~ " + "x" * 100_001, "longer than", id="huge"),
    ],
)
def test_refuses_oversized_queries(jql: str, message: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_jql(jql)
    assert caught.value.messages is not None and message in caught.value.messages[0]


@pytest.mark.parametrize(
    "jql",
    [
        pytest.param(" or ".join(f"key = A-{n}" for n in range(MAX_CLAUSES)), id="wide"),
        # Redundant parentheses add no tree level, so any number of them is harmless.
        pytest.param("(" * 10_000 + "status = 1" + ")" * 10_000, id="deep-parentheses"),
    ],
)
def test_large_but_shallow_queries_compile(jql: str) -> None:
    assert compile_jql(jql, 0).where is not None


_JQL_ALPHABET = st.sampled_from(
    [
        *"()=!~<>,'\"\\ \t\n&|[]-+*.",
        *("and", "or", "not", "in", "is", "empty", "order by", "status", "created", "cf[1]"),
        *("startOfDay(", "was", "key", "ABC-1", "-7d", "\x00", "已"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_JQL_ALPHABET, max_size=25).map("".join)))
def test_any_text_parses_or_is_refused_cleanly(jql: str) -> None:
    try:
        compile_jql(jql, 1_767_225_600_000)
    except InvalidParameters as error:
        assert error.messages is not None and error.messages[0].startswith("customjql: ")
