"""IN lists and key ranges of the store's fast reads."""

from __future__ import annotations

from array import array

import pytest

from dwelltime.sources.store.sql_lists import MAX_IN_LIST, even_batches, id_conditions


def test_a_whole_key_range_is_one_between() -> None:
    for ids in (array("q", range(7, 20_007)), [9, 7, 8], [3]):
        assert list(id_conditions("id", ids, "?")) == [("id BETWEEN ? AND ?", (min(ids), max(ids)))]


def test_other_ids_are_in_lists_of_at_most_max_in_list() -> None:
    sparse = list(range(1, 4 * MAX_IN_LIST + 3, 2))
    conditions = list(id_conditions("l.issue_id", sparse, "%s"))
    assert [values for _, values in conditions] == [
        tuple(sparse[:MAX_IN_LIST]),
        tuple(sparse[MAX_IN_LIST : 2 * MAX_IN_LIST]),
        tuple(sparse[2 * MAX_IN_LIST :]),
    ]
    assert conditions[-1][0] == "l.issue_id IN (%s)"
    repeated = list(id_conditions("id", [1, 2, 2], "?"))
    assert repeated == [("id IN (?, ?, ?)", (1, 2, 2))]
    assert list(id_conditions("id", [], "?")) == []


@pytest.mark.parametrize(
    ("total", "size", "sizes"),
    [
        pytest.param(125_000, 10_000, [10_416, 10_417, 10_417] * 4, id="tail-shared"),
        pytest.param(1_000_000, 10_000, [10_000] * 100, id="whole-batches"),
        pytest.param(12_000, 10_000, [6_000, 6_000], id="tail-too-big-to-share"),
        pytest.param(11_250, 10_000, [11_250], id="an-eighth-over"),
        pytest.param(5, 10, [5], id="fewer-than-a-batch"),
        pytest.param(2, 1, [1, 1], id="batches-of-one"),
        pytest.param(0, 10, [], id="none"),
    ],
)
def test_batches_have_no_short_tail(total: int, size: int, sizes: list[int]) -> None:
    """As few batches as `size` gives, each at most an eighth over it, all one size."""
    ids = array("q", range(total))
    batches = list(even_batches(ids, size))
    assert [len(batch) for batch in batches] == sizes
    assert [i for batch in batches for i in batch] == list(ids)
