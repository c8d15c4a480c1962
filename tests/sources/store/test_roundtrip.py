"""Property: whatever issues are written, LocalSource reads back what batch_from_issues builds,
and the issues' `visited_statuses` are what their stored change items say."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.config import Settings
from dwelltime.domain.issues import ChangeItem, History, Issue
from dwelltime.domain.selection import Selection
from dwelltime.sources.batches import batch_from_issues
from dwelltime.sources.store import schema
from dwelltime.sources.store.data import ChangelogPart
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
from dwelltime.sources.store.visited import refresh_visited
from tests.sources.issue_factory import T0, TEST_SITE, make_issue
from tests.sources.store.jira_ids import with_jira_ids

FIELDS = ("status", "assignee", "labels", "customfield_1")
CHANGE_FIELDS = ("status", "assignee", "labels")
_texts = st.one_of(st.none(), st.text(max_size=6))
_items = st.builds(
    ChangeItem,
    field=st.sampled_from(FIELDS),
    field_id=st.sampled_from((*FIELDS, None)),  # None: old Server items name the field only
    field_type=st.just("jira"),
    from_value=_texts,
    from_string=_texts,
    to_value=_texts,
    to_string=_texts,
)
_histories = st.lists(
    st.tuples(st.integers(0, 10**9), st.text(max_size=5), st.lists(_items, max_size=3)),
    max_size=5,
)
_issue_shapes = st.lists(
    st.tuples(_histories, st.sampled_from(["u1", "u2", None])), min_size=1, max_size=6
)
_projects = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> IssueStore:
    home: Path = tmp_path_factory.mktemp("roundtrip")
    return IssueStore.open(Settings(home=home))


@settings(max_examples=30, deadline=None)
@given(shapes=_issue_shapes, batch_size=st.integers(1, 4), chunk=st.integers(1, 6))
def test_written_issues_read_back_as_batch_from_issues(
    store: IssueStore,
    shapes: list[tuple[list[tuple[int, str, list[ChangeItem]]], str | None]],
    batch_size: int,
    chunk: int,
) -> None:
    # Each example gets its own project and ids, so the examples share one database.
    number = next(_projects)
    project = f"P{number}"
    issues: list[Issue] = []
    for index, (histories, assignee) in enumerate(shapes):
        issue_id = number * 100 + index + 1
        issues.append(
            make_issue(
                issue_id,
                project,
                assignee=assignee,
                histories=tuple(
                    History(issue_id * 10 + h, T0 + offset, "a", author, tuple(items))
                    for h, (offset, author, items) in enumerate(histories)
                ),
            )
        )
    for start in range(0, len(issues), chunk):
        store.write(StoreData(site=TEST_SITE, issues=issues[start : start + chunk][::-1]))
    selection = Selection(
        "project", project, fields=FIELDS, change_fields=CHANGE_FIELDS, value_fields=("labels",)
    )
    batches = [
        with_jira_ids(store.engine, batch)
        for batch in LocalSource(store).batches(selection, batch_size)
    ]
    expected = batch_from_issues(issues, FIELDS, CHANGE_FIELDS, ("labels",))
    changes = pl.concat([b.changes for b in batches])
    order = changes.columns
    assert pl.concat([b.issues for b in batches]).equals(expected.issues)
    assert changes.sort(order, nulls_last=True).equals(
        expected.changes.sort(order, nulls_last=True)
    )


#: Histories whose ids may repeat within an issue (the writer keeps the last copy).
_repeating = st.lists(st.tuples(st.integers(0, 3), st.lists(_items, max_size=3)), max_size=5)


@settings(max_examples=30, deadline=None)
@given(
    shapes=st.lists(st.tuples(_repeating, _repeating, st.booleans()), min_size=1, max_size=4),
    current=st.sampled_from(["1", "5", None]),
)
def test_visited_statuses_written_equal_those_read_back(
    store: IssueStore,
    shapes: list[
        tuple[list[tuple[int, list[ChangeItem]]], list[tuple[int, list[ChangeItem]]], bool]
    ],
    current: str | None,
) -> None:
    """Issues written whole take `visited_statuses` and `visited_transitions` from memory,
    merged ones from their stored items: both must equal a re-read of every stored change
    item."""
    number = next(_projects)

    def histories(issue_id: int, drawn: list[tuple[int, list[ChangeItem]]]) -> tuple[History, ...]:
        return tuple(
            History(issue_id * 10 + h, T0 + h, "a", "A", tuple(items)) for h, items in drawn
        )

    issues = [
        replace(
            make_issue(
                number * 100 + i, f"P{number}", histories=histories(number * 100 + i, first)
            ),
            status_id=current,
        )
        for i, (first, _, _) in enumerate(shapes)
    ]
    store.write(StoreData(site=TEST_SITE, issues=issues))
    parts = [
        ChangelogPart(issue.id, histories(issue.id, later))
        for issue, (_, later, merged) in zip(issues, shapes, strict=True)
        if merged
    ]
    store.write(StoreData(site=TEST_SITE, changelogs=parts))
    table = schema.issues
    query = sa.select(table.c.id, table.c.visited_statuses, table.c.visited_transitions).where(
        table.c.project_key == f"P{number}"
    )
    with store.engine.begin() as connection:
        written = {row.id: tuple(row) for row in connection.execute(query)}
        refresh_visited(connection, list(written))
        read_back = {row.id: tuple(row) for row in connection.execute(query)}
    assert written == read_back
