"""Landmarks of deep `startIssueIndex` windows: whatever order pages are asked in, and
across a store write, a window is the one the database gives by walking to its position;
a window after a known one does not walk."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import pytest
import sqlalchemy as sa

from dwelltime.domain.issues import Issue
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import positions
from dwelltime.sources.store.filters import selection_ids, tail_ids
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.source import LocalSource
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue
from tests.sources.store.written import written_store

#: Report orders with ties and empty values (resolution dates: one issue in three).
ORDERS = [
    Selection("customjql", "created is not empty"),
    Selection("customjql", "project in (AB, CD) ORDER BY resolved DESC, created"),
    Selection("customjql", "created is not empty ORDER BY resolved ASC"),
]
STARTS = [5, 10, 15, 7, 3, 28, 29, 30, 12, 13, 1]


@pytest.fixture
def store(store_url: str) -> Iterator[IssueStore]:
    data = StoreData(site=TEST_SITE, issues=[_issue(i) for i in range(1, 31)])
    with written_store(store_url, data) as store:
        yield store


def _issue(number: int) -> Issue:
    resolved = T0 + (number % 4) * DAY_MS if number % 3 == 0 else None
    return make_issue(
        number,
        "AB" if number % 2 else "CD",
        created_ms=T0 + (number % 5) * DAY_MS,
        resolution_date_ms=resolved,
    )


def _walked(store: IssueStore, window: Selection) -> list[int]:
    with store.engine.connect() as connection:
        return list(selection_ids(connection, window))


def _windows(store: IssueStore, source: LocalSource, selection: Selection) -> None:
    for start in STARTS:
        window = replace(selection, start_index=start, max_issues=4)
        assert list(source.ids(window)) == _walked(store, window), (selection, start)


def test_windows_from_landmarks_are_the_walked_ones(store: IssueStore) -> None:
    for selection in ORDERS:
        _windows(store, LocalSource(store), selection)


def test_landmarks_of_an_older_generation_are_not_used(store: IssueStore) -> None:
    source = LocalSource(store)
    for selection in ORDERS:
        _windows(store, source, selection)
    early = make_issue(31, "AB", created_ms=T0 - DAY_MS, resolution_date_ms=T0)
    store.write(StoreData(site=TEST_SITE, issues=[early]))
    assert store.delete_issues(TEST_SITE, [4]) == 1
    for selection in ORDERS:
        _windows(store, LocalSource(store), selection)


def test_the_window_after_a_known_one_starts_at_its_key(
    store: IssueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = LocalSource(store)
    selection = ORDERS[1]
    source.ids(replace(selection, start_index=10, max_issues=5))
    asked: list[tuple[bool, int]] = []

    def spied(connection: sa.Connection, window: Selection, skip: int = 0) -> Sequence[int]:
        asked.append((window.after is not None, skip))
        return selection_ids(connection, window, skip)

    monkeypatch.setattr(positions, "selection_ids", spied)
    source.ids(replace(selection, start_index=15, max_issues=5))
    source.ids(replace(selection, start_index=22, max_issues=5))
    # From the key of the row before 15, then 2 rows past the one before 20.
    assert asked == [(True, 0), (True, 2)]


def test_a_first_window_in_the_second_half_is_read_from_the_end(
    store: IssueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a landmark below it, a window in the second half of a selection in the
    default report order is read backwards from the selection's end, not walked to."""
    selection = ORDERS[0]
    starts = (16, 20, 26, 29, 30, 31)
    expected = {
        start: _walked(store, replace(selection, start_index=start, max_issues=4))
        for start in starts
    }

    def walked(*args: object, **kwargs: object) -> Sequence[int]:
        raise AssertionError("walked from the top")

    monkeypatch.setattr(positions, "selection_ids", walked)
    for start, ids in expected.items():
        fresh = IssueStore(store.engine)  # remembers no landmark
        window = replace(selection, start_index=start, max_issues=4)
        assert list(LocalSource(fresh).ids(window)) == ids, start


def test_a_window_read_from_the_end_as_the_store_moves_is_of_one_generation(
    store: IssueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An issue early in the order deleted between the count a read from the end is
    offset by and the read itself: the window is the one walked to after the delete
    (not one row off), and what it marks leads the next window right."""
    selection = ORDERS[0]

    def store_moved(
        connection: sa.Connection, window: Selection, total: Callable[[], int]
    ) -> Sequence[int] | None:
        def counted() -> int:
            count = total()
            assert store.delete_issues(TEST_SITE, [4]) == 1
            return count

        return tail_ids(connection, window, counted)

    monkeypatch.setattr(positions, "tail_ids", store_moved)
    source = LocalSource(store)
    window = replace(selection, start_index=20, max_issues=4)
    ids = list(source.ids(window))
    monkeypatch.undo()
    assert ids == _walked(store, window)
    following = replace(selection, start_index=24, max_issues=4)
    assert list(source.ids(following)) == _walked(store, following)


def test_a_window_after_a_landmark_as_the_store_moves_is_of_one_generation(
    store: IssueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An issue early in the order deleted between the landmark's lookup and the read
    after it: the window is the one walked to after the delete."""
    selection = ORDERS[1]
    source = LocalSource(store)
    source.ids(replace(selection, start_index=10, max_issues=5))

    def store_moved(connection: sa.Connection, window: Selection, skip: int = 0) -> Sequence[int]:
        if window.after is not None:
            assert store.delete_issues(TEST_SITE, [5]) == 1
        return selection_ids(connection, window, skip)

    monkeypatch.setattr(positions, "selection_ids", store_moved)
    window = replace(selection, start_index=15, max_issues=5)
    ids = list(source.ids(window))
    monkeypatch.undo()
    assert ids == _walked(store, window)


@pytest.mark.parametrize(
    "selection",
    [Selection("customjql", "created is not empty"), Selection("project", "AB")],
)
def test_window_starts_are_the_keys_before_the_walked_windows(
    store: IssueStore, selection: Selection
) -> None:
    """A split export's windows in the index's order: the windows after each key found
    are the ones walked to by position, and together the whole selection."""
    source = LocalSource(store)
    whole = _walked(store, selection)
    firsts = [1, 4, 5, 11, len(whole) - 1]
    starts = source.window_starts(selection, firsts)
    assert starts is not None and len(starts) == len(firsts)
    bounds = [(0, firsts[0]), *zip(firsts, [*firsts[1:], len(whole)], strict=True)]
    read: list[int] = []
    for (first, stop), after in zip(bounds, [None, *starts], strict=True):
        window = replace(selection, start_index=first, max_issues=stop - first, after=after)
        assert _walked(store, window) == whole[first:stop]
        read += _walked(store, window)
    assert read == whole
    # Past the selection's end the keys stop short; an ORDER BY gives none.
    assert source.window_starts(selection, [firsts[0], len(whole) + 3]) == starts[:1]
    assert source.window_starts(ORDERS[1], firsts) is None
