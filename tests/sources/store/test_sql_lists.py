"""The batches a selection's ids are read in."""

from __future__ import annotations

from array import array

import pytest

from dwelltime.sources.store.sql_lists import even_batches


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
