"""LocalSource: batches equal batch_from_issues, selections, counts and catalogs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from dwelltime.config import Settings
from dwelltime.domain.calendars import CalendarSpec, WorkingTime
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import History, Issue, SavedFilter, SprintRef, Status
from dwelltime.domain.selection import Selection
from dwelltime.errors import InvalidParameters, NotFound
from dwelltime.sources.batches import batch_from_issues
from dwelltime.sources.jira_json.documents import read_file
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import save_calendar
from dwelltime.sources.store.filters import selection_ids
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
from tests.sources.issue_factory import (
    DAY_MS,
    T0,
    TEST_SITE,
    assignee_item,
    make_issue,
    status_item,
)
from tests.sources.store.jira_ids import with_jira_ids
from tests.sources.store.postgresql import temporary_postgresql

SPRINT_A = SprintRef(7, "Sprint A", "closed", 1, T0, T0 + 14 * DAY_MS, T0 + 14 * DAY_MS)
SPRINT_B = SprintRef(8, "Sprint B", "active", 1)


def _issues() -> list[Issue]:
    return [
        make_issue(1, "AB", sprints=(SPRINT_A, SPRINT_B)),
        make_issue(2, "AB", created_ms=T0 + DAY_MS, assignee="u3", sprints=(SPRINT_B,)),
        make_issue(3, "CD", created_ms=T0 + 2 * DAY_MS, assignee=None, histories=()),
        make_issue(
            4,
            "cd",
            created_ms=T0 + 3 * DAY_MS,
            resolution_date_ms=T0 + 5 * DAY_MS,
            fields={"customfield_10001": [{"name": "x"}, {"name": "y"}]},
        ),
    ]


@pytest.fixture
def store(settings: Settings) -> IssueStore:
    return IssueStore.open(settings)


@pytest.fixture
def source(store: IssueStore) -> LocalSource:
    store.write(
        StoreData(
            site=TEST_SITE,
            issues=_issues()[::-1],
            statuses=[Status("5", "Done", "done"), Status("1", "Open", "new")],
            filters=[SavedFilter("f1", "Mine", "project = AB")],
        )
    )
    return LocalSource(store)


def _batches(
    store: IssueStore, source: LocalSource, selection: Selection, batch_size: int
) -> list[IssueBatch]:
    """The source's batches, with Jira ids where the store has its row ids."""
    return [with_jira_ids(store.engine, b) for b in source.batches(selection, batch_size)]


def _sorted_changes(batch: IssueBatch) -> pl.DataFrame:
    return batch.changes.sort("issue_id", "ts_ms", "history_id", "field_id")


#: Status, the assignee and one more field: a source reads exactly the change items asked.
CHANGE_FIELDS = ("status", "assignee", "labels")
FIELDS = (
    "summary",
    "status",
    "assignee",
    "created",
    "resolutiondate",
    "labels",
    "components",
    "sprint",
    "customfield_10001",
    "customfield_10002",
    "customfield_99999",
)


def test_batches_equal_batch_from_issues(store: IssueStore, source: LocalSource) -> None:
    selection = Selection("project", "AB", fields=FIELDS, change_fields=CHANGE_FIELDS)
    assert source.count(selection) == 2
    [batch] = _batches(store, source, selection, batch_size=10)
    expected = batch_from_issues(_issues()[:2], FIELDS, CHANGE_FIELDS)
    assert batch.issues.equals(expected.issues)
    assert _sorted_changes(batch).equals(_sorted_changes(expected))


def test_batches_without_authors_equal_batch_from_issues_without(
    store: IssueStore, source: LocalSource
) -> None:
    selection = Selection("project", "AB", change_fields=CHANGE_FIELDS, change_authors=False)
    [batch] = _batches(store, source, selection, batch_size=10)
    expected = batch_from_issues(_issues()[:2], (), CHANGE_FIELDS, authors=False)
    assert batch.changes.height > 0
    assert batch.changes["author"].null_count() == batch.changes.height
    assert _sorted_changes(batch).equals(_sorted_changes(expected))


def test_batches_read_only_the_change_fields_asked(source: LocalSource) -> None:
    selection = Selection("project", "AB", change_fields=("status",))
    [batch] = list(source.batches(selection, batch_size=10))
    assert batch.changes.height > 0
    assert set(batch.changes["field_id"]) == {"status"}


@pytest.mark.integration
def test_batches_equal_batch_from_issues_on_postgresql(tmp_path: Path) -> None:
    with temporary_postgresql() as url:
        store = IssueStore.open(Settings(home=tmp_path / "home", database_url=url))
        store.write(StoreData(site=TEST_SITE, issues=_issues()[::-1]))
        selection = Selection("project", "AB", fields=FIELDS, change_fields=CHANGE_FIELDS)
        [batch] = _batches(store, LocalSource(store), selection, batch_size=10)
        store.engine.dispose()
    expected = batch_from_issues(_issues()[:2], FIELDS, CHANGE_FIELDS)
    assert batch.issues.equals(expected.issues)
    assert _sorted_changes(batch).equals(_sorted_changes(expected))


def test_batch_read_paths_agree(source: LocalSource, settings: Settings) -> None:
    selection = Selection("customjql", "created is not empty", fields=FIELDS)
    store = IssueStore.open(settings)
    with store.engine.connect() as connection:
        ids = selection_ids(connection, selection)
        from_packed = read_batch(connection, ids, selection, packed=True)
        from_rows = read_batch(connection, ids, selection, packed=False)
    assert from_packed.issues.height == 4
    assert from_packed.issues.equals(from_rows.issues)
    assert _sorted_changes(from_packed).equals(_sorted_changes(from_rows))


VALUE_FIELDS = ("labels", "components", "sprint", "assignee", "customfield_10001", "priority")


def test_batches_carry_current_values_with_ids(store: IssueStore, source: LocalSource) -> None:
    selection = Selection("project", "AB", change_fields=VALUE_FIELDS, value_fields=VALUE_FIELDS)
    [batch] = _batches(store, source, selection, batch_size=10)
    expected = batch_from_issues(_issues()[:2], (), VALUE_FIELDS, VALUE_FIELDS)
    assert batch.issues.equals(expected.issues)
    sprints = batch.issues["values:sprint"].to_list()
    assert sprints[0] == [{"id": "7", "name": "Sprint A"}, {"id": "8", "name": "Sprint B"}]
    assert batch.issues["values:assignee"].to_list()[1] == [{"id": "u3", "name": "Name u3"}]


def test_current_values_read_paths_agree(source: LocalSource, settings: Settings) -> None:
    selection = Selection(
        "customjql", "created is not empty", fields=FIELDS, value_fields=VALUE_FIELDS
    )
    store = IssueStore.open(settings)
    with store.engine.connect() as connection:
        ids = selection_ids(connection, selection)
        from_packed = read_batch(connection, ids, selection, packed=True)
        from_rows = read_batch(connection, ids, selection, packed=False)
    assert from_packed.issues.height == 4
    assert from_packed.issues.equals(from_rows.issues)


def test_batches_split_in_selection_order(store: IssueStore, source: LocalSource) -> None:
    selection = Selection("project", "cd", fields=("customfield_10001",))
    batches = _batches(store, source, selection, batch_size=1)
    assert [b.issues["issue_id"].to_list() for b in batches] == [[3], [4]]
    assert batches[1].issues["field:customfield_10001"].to_list() == ["x, y"]
    assert batches[0].changes.height == 0


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        pytest.param(Selection("project", "ab"), [1, 2], id="project-any-case"),
        pytest.param(Selection("user", "u3"), [2], id="user-now"),
        pytest.param(Selection("user", "u1"), [1, 2, 4], id="user-in-history"),
        pytest.param(Selection("user", "Name u1"), [1, 2, 4], id="user-display-name"),
        pytest.param(Selection("user", "nobody"), [], id="user-unknown"),
        pytest.param(Selection("sprint", "8"), [1, 2], id="sprint"),
        pytest.param(Selection("sprint", "7"), [1], id="sprint-closed"),
        pytest.param(
            Selection("project", "CD", start_ms=T0 + 2 * DAY_MS, end_ms=T0 + 3 * DAY_MS),
            [3],
            id="created-start-inclusive-end-exclusive",
        ),
        pytest.param(
            Selection("project", "CD", date_field="resolved", start_ms=T0),
            [4],
            id="resolved-skips-unresolved",
        ),
        pytest.param(
            Selection("project", "AB", date_field="updated", end_ms=T0 + 4 * DAY_MS),
            [1],
            id="updated-end",
        ),
        pytest.param(Selection("jqlfilter", "f1"), [1, 2], id="saved-filter"),
        pytest.param(
            Selection("customjql", "project in (AB, CD) ORDER BY created DESC"),
            [4, 3, 2, 1],
            id="jql-order-by",
        ),
        pytest.param(
            Selection("customjql", "project = CD", start_ms=T0 + 3 * DAY_MS),
            [4],
            id="jql-and-date-range",
        ),
    ],
)
def test_selection(
    store: IssueStore, source: LocalSource, selection: Selection, expected: list[int]
) -> None:
    batches = _batches(store, source, selection, batch_size=2)
    ids = [i for b in batches for i in b.issues["issue_id"]]
    assert ids == expected
    assert source.count(selection) == len(expected)


@pytest.mark.parametrize(
    ("selection", "error"),
    [
        pytest.param(Selection("sprint", "abc"), InvalidParameters, id="sprint-not-a-number"),
        pytest.param(Selection("jqlfilter", "nope"), NotFound, id="unknown-saved-filter"),
        pytest.param(Selection("customjql", "project = = AB"), InvalidParameters, id="bad-jql"),
    ],
)
def test_bad_selection(source: LocalSource, selection: Selection, error: type[Exception]) -> None:
    with pytest.raises(error):
        source.count(selection)


def test_statuses_keep_catalog_order(source: LocalSource) -> None:
    assert [s.id for s in source.statuses()] == ["5", "1"]


def test_saved_filter(source: LocalSource) -> None:
    assert source.saved_filter("f1") == SavedFilter("f1", "Mine", "project = AB")
    assert source.saved_filter("f2") is None


def test_calendar(settings: Settings, source: LocalSource) -> None:
    spec = CalendarSpec(
        "7", "Office", "Europe/Paris", (WorkingTime(0, 9 * 3_600_000, 17 * 3_600_000),)
    )
    save_calendar(IssueStore.open(settings).engine, spec)
    assert source.calendar("7") == spec
    assert source.calendar("8") is None


def test_reassigned_away_is_still_found_by_user(settings: Settings) -> None:
    store = IssueStore.open(settings)
    moved = make_issue(
        9, histories=(History(90, T0 + DAY_MS, "u1", "Name u1", (assignee_item("u7", "u8"),)),)
    )
    store.write(StoreData(site=TEST_SITE, issues=[moved]))
    assert LocalSource(store).count(Selection("user", "u7")) == 1


def test_devlake_batches_hold_every_status_change(settings: Settings, jira_samples: Path) -> None:
    store = IssueStore.open(settings)
    list(import_files(store, [jira_samples / "devlake" / "search.json"]))
    source = LocalSource(store)
    selection = Selection("project", "EE")
    batches = _batches(store, source, selection, batch_size=7)
    issues = pl.concat([b.issues for b in batches])
    changes = pl.concat([b.changes for b in batches])
    assert issues.height == source.count(selection) == 30
    assert issues["issue_id"].is_sorted()
    assert changes.filter(pl.col("field_id") == "status").height == 165  # K5 issues have none


def test_devlake_batches_equal_batch_from_issues(settings: Settings, jira_samples: Path) -> None:
    search = jira_samples / "devlake" / "search.json"
    store = IssueStore.open(settings)
    list(import_files(store, [search]))
    issues = sorted(read_file(search).data.issues, key=lambda issue: issue.id)
    fields = ("summary", "issuetype", "fixVersions", "sprint", "customfield_10020", "creator")
    selection = Selection("customjql", "project in (EE, K5)", fields=fields)
    [batch] = _batches(store, LocalSource(store), selection, batch_size=100)
    expected = batch_from_issues(issues, fields)
    assert batch.issues.equals(expected.issues)
    assert _sorted_changes(batch).equals(_sorted_changes(expected))


@pytest.mark.parametrize(
    ("start", "most", "expected"),
    [
        pytest.param(0, None, [1, 2, 3, 4], id="whole"),
        pytest.param(1, 2, [2, 3], id="middle"),
        pytest.param(3, 10, [4], id="past-the-end"),
        pytest.param(9, 5, [], id="beyond"),
    ],
)
def test_a_window_reads_only_its_issues_in_the_stable_order(
    store: IssueStore, source: LocalSource, start: int, most: int | None, expected: list[int]
) -> None:
    whole = Selection("customjql", "created is not empty")
    window = Selection("customjql", "created is not empty", start_index=start, max_issues=most)
    assert source.count(window) == len(expected)
    batches = _batches(store, source, window, batch_size=1)
    read = [i for b in batches for i in b.issues["issue_id"].to_list()]
    assert read == expected  # Jira ids: the stable order is by Jira id within a site
    assert source.count(whole) == 4  # the window did not change the selection's resolution


def test_a_pages_total_is_counted_even_without_a_condition(source: LocalSource) -> None:
    window = Selection("customjql", "order by key", start_index=1, max_issues=1)
    assert source.count(window) == 1
    assert source.count(window.whole()) == 4


def test_visited_statuses_follow_the_writes(store: IssueStore, source: LocalSource) -> None:
    """What a page takes as the whole selection's status columns: catalog statuses always,
    deleted ones (3 here) only when asked, and a re-import's new status at once."""
    project = Selection("project", "AB")
    assert sorted(source.visited_statuses(project, deleted=False)["id"]) == ["1", "5"]
    # A deleted status comes once per name its histories give it (the engine keeps the latest).
    assert set(source.visited_statuses(project, deleted=True)["id"]) == {"1", "3", "5"}
    moved = History(99, T0 + 9 * DAY_MS, "u1", "Name u1", (status_item("5", "7"),))
    reopened = make_issue(1, "AB", histories=(moved,))
    store.write(
        StoreData(site=TEST_SITE, issues=[reopened], statuses=[Status("7", "Again", "new")])
    )
    assert sorted(source.visited_statuses(project, deleted=False)["id"]) == ["1", "5", "7"]


def test_a_pinned_window_reads_the_ids_it_was_given(store: IssueStore, source: LocalSource) -> None:
    """A chunk of a split export reads the window its planner resolved: the ids given,
    never resolved again, while the whole selection is still counted by the database."""
    whole = Selection("customjql", "created is not empty")
    planned = source.ids(whole)
    window = replace(whole, start_index=1, max_issues=2)
    chunk = LocalSource(store)
    chunk.pin(window, planned[1:3])
    assert chunk.count(window) == 2
    read = [i for b in _batches(store, chunk, window, batch_size=1) for i in b.issues["issue_id"]]
    assert read == [2, 3]
    assert chunk.count(whole) == 4
