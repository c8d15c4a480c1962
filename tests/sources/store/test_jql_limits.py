"""JQL at the parser's bounds runs on SQLite and PostgreSQL, and one step past them is a
clear 400-style problem: the bounds are what the databases accept."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.errors import InvalidParameters
from dwelltime.jql.parser import (
    MAX_CLAUSES,
    MAX_CONTAINS_CHARS,
    MAX_DEPTH,
    MAX_VALUES,
    parse_jql,
)
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.sources.store.postgresql import temporary_postgresql


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
)
def source(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalSource]:
    if request.param == "sqlite":
        home: Path = tmp_path_factory.mktemp("limits")
        yield LocalSource(IssueStore.open(Settings(home=home)))
    else:
        with temporary_postgresql() as url:
            store = IssueStore.open(Settings(home=tmp_path_factory.mktemp("pg"), database_url=url))
            yield LocalSource(store)
            store.engine.dispose()


def _widest_contains(n: int) -> str:
    return " OR ".join(f'summary ~ "x{i}"' for i in range(n))


def _deepest(levels: int) -> str:
    query = 'summary ~ "x"'
    for index in range(levels // 2):
        query = f"NOT (key = A-{index} OR {query})"
    return query


AT_THE_BOUNDS = [
    pytest.param(_widest_contains(MAX_CLAUSES), id="widest-or"),
    pytest.param(
        " AND ".join(f'(summary ~ "x{i}" OR key = A-{i})' for i in range(MAX_CLAUSES // 2)),
        id="wide-and-of-ors",
    ),
    pytest.param(_deepest(MAX_DEPTH - 2), id="deepest"),
    pytest.param(
        "key IN ("
        + ", ".join(f"A-{i}" for i in range(MAX_VALUES // 2))
        + ") OR status IN ("
        + ", ".join(f'"s{i}"' for i in range(MAX_VALUES // 2))
        + ")",
        id="most-values",
    ),
    pytest.param('summary ~ "' + "😀" * MAX_CONTAINS_CHARS + '"', id="longest-pattern"),
]


@pytest.mark.parametrize("query", AT_THE_BOUNDS)
def test_queries_at_the_bounds_run(source: LocalSource, query: str) -> None:
    assert source.count(Selection("customjql", query, now_ms=0)) == 0


def _nested(shape: Callable[[str, int], str]) -> Iterator[str]:
    query = "key = A-0"
    for level in itertools.count():
        yield query
        query = shape(query, level)


SHAPES = [
    pytest.param(lambda q, i: f"NOT ({q})", id="nots"),
    pytest.param(lambda q, i: f"NOT (key = A-{i} OR {q})", id="not-or"),
    pytest.param(lambda q, i: f"(key = A-{i} AND ({q} OR key = B-{i}))", id="and-or"),
    pytest.param(lambda q, i: f'(summary ~ "x" OR (status = {i} AND {q}))', id="or-and"),
    pytest.param(lambda q, i: f"(sprint = {i} AND NOT {q})", id="sprint-not"),
    pytest.param(lambda q, i: f"(statusCategory = Done OR NOT (sprint = {i} AND {q}))", id="mixed"),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_deepest_query_the_parser_accepts_runs(
    source: LocalSource, shape: Callable[[str, int], str]
) -> None:
    deepest = None
    for query in _nested(shape):
        try:
            parse_jql(query)
        except InvalidParameters:
            break
        deepest = query
    assert deepest is not None and deepest.count("(") >= 4
    assert source.count(Selection("customjql", deepest, now_ms=0)) == 0


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        pytest.param(_widest_contains(MAX_CLAUSES + 1), "more than 500 conditions", id="wide"),
        pytest.param(
            "key IN (" + ", ".join(f"A-{i}" for i in range(MAX_VALUES + 1)) + ")",
            "more than 5,000 values",
            id="values",
        ),
        pytest.param(
            'summary ~ "' + "x" * (MAX_CONTAINS_CHARS + 1) + '"',
            "summary ~: the text is longer than 1,000 characters",
            id="pattern",
        ),
        pytest.param(
            'summary ~ "\\ud800"', "\\ud800 is half of a surrogate pair", id="surrogate-escape"
        ),
    ],
)
def test_one_step_past_is_refused(source: LocalSource, query: str, problem: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        source.count(Selection("customjql", query, now_ms=0))
    assert caught.value.messages is not None and problem in caught.value.messages[0]
