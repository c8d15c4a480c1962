"""IN lists and key ranges of the store's fast reads."""

from __future__ import annotations

from array import array

from dwelltime.sources.store.sql_lists import MAX_IN_LIST, id_conditions


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
