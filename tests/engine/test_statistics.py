"""segment_statistics against Python's statistics module, group by group."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.engine.output.statistics import segment_statistics

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
