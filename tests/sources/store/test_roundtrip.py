"""Property: whatever issues are written, LocalSource reads back what batch_from_issues builds."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.config import Settings
from dwelltime.domain.issues import ChangeItem, History, Issue
from dwelltime.domain.selection import Selection
from dwelltime.sources.batches import batch_from_issues
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
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
