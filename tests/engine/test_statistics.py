"""segment_statistics against Python's statistics module, group by group."""

from __future__ import annotations

import statistics
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.engine.output import statistics as segments
from dwelltime.engine.output.statistics import key_value_sorted, segment_statistics

Groups = dict[int, list[float]]

groups_strategy = st.dictionaries(
    st.integers(0, 40),
    st.lists(st.integers(0, 10**9).map(float), min_size=1, max_size=8),
    max_size=6,
)


def arrays(groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    keys = [key for key, values in groups.items() for _ in values]
    values = [value for group in groups.values() for value in group]
    return np.array(keys, dtype=np.int64), np.array(values, dtype=np.float64)


@settings(max_examples=60, deadline=None)
@given(groups=groups_strategy, extra=st.integers(0, 3))
@pytest.mark.parametrize(
    "with_zeros", [pytest.param(False, id="nonNull"), pytest.param(True, id="all")]
)
def test_matches_python(groups: Groups, extra: int, with_zeros: bool) -> None:
    keys, values = arrays(groups)
    sizes = {key: len(group) + extra for key, group in groups.items()}
    result = segment_statistics(
        keys,
        values,
        (lambda found: np.array([sizes[k] for k in found.tolist()], dtype=np.int64))
        if with_zeros
        else None,
    )
    assert result.keys.tolist() == sorted(groups)
    for index, key in enumerate(result.keys.tolist()):
        members = groups[key] + ([0.0] * extra if with_zeros else [])
        assert result.sums[index] == sum(groups[key])
        assert result.means[index] == pytest.approx(statistics.fmean(members), rel=1e-12)
        assert result.medians[index] == statistics.median(members)
        assert result.stds[index] == pytest.approx(statistics.pstdev(members), rel=1e-9, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 40), st.integers(-(2**40), 2**40)),
            st.floats(0, 1e12, allow_nan=False),
        ),
        max_size=60,
    )
)
def test_sorts_as_lexsort_does(pairs: list[tuple[int, float]]) -> None:
    """Small keys (the radix pass) and keys beyond 16 bits or negative (the general one),
    each segment sorted on its own and, past the segment limit, the two global passes."""
    keys = np.array([key for key, _ in pairs], dtype=np.int64)
    values = np.array([value for _, value in pairs], dtype=np.float64)
    expected = np.lexsort((values, keys))
    for limit in (segments.SEGMENTS_SORTED_ONE_BY_ONE, 1):
        with patch.object(segments, "SEGMENTS_SORTED_ONE_BY_ONE", limit):
            sorted_keys, sorted_values = key_value_sorted(keys, values)
        assert sorted_keys.tolist() == keys[expected].tolist()
        assert sorted_values.tolist() == values[expected].tolist()
