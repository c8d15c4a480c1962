"""`python_round` against Python's own `round`, value by value: cells must not move by a bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dwelltime.engine.output.rounding import python_round

#: Every divisor a duration is rendered with: seconds, minutes, hours, 7/24 and 8-hour days.
_UNITS = (1000, 60_000, 3_600_000, 86_400_000, 28_800_000)


def _same(ours: np.ndarray, theirs: list[float]) -> bool:
    expected = np.array(theirs, dtype=np.float64)
    both_nan = np.isnan(ours) & np.isnan(expected)
    equal = (ours == expected) & (np.signbit(ours) == np.signbit(expected))
    return bool(np.all(equal | both_nan))


@given(
    st.lists(st.integers(0, 10**13), min_size=1, max_size=200),
    st.sampled_from(_UNITS),
    st.sampled_from((2, 3)),
)
def test_durations_round_as_python_does(ms: list[int], unit: int, decimals: int) -> None:
    quotients = np.array(ms, dtype=np.float64) / unit
    expected = [round(q, decimals) for q in quotients.tolist()]
    assert _same(python_round(quotients, decimals), expected)


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=200))
def test_any_float_rounds_as_python_does(values: list[float]) -> None:
    expected = [v if not np.isfinite(v) else round(v, 2) for v in values]
    assert _same(python_round(np.array(values, dtype=np.float64), 2), expected)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(0.125, id="exact-tie-down-to-even"),
        pytest.param(0.375, id="exact-tie-up-to-even"),
        pytest.param(2.675, id="below-tie-in-binary"),
        pytest.param(1.005, id="below-tie-too"),
        pytest.param(-0.125, id="negative-tie"),
        pytest.param(-0.001, id="negative-to-zero-keeps-sign"),
        pytest.param(1e17, id="no-fraction-bits"),
    ],
)
def test_ties_and_edges(value: float) -> None:
    assert _same(python_round(np.array([value]), 2), [round(value, 2)])


def test_minute_ties_of_whole_milliseconds() -> None:
    # ms % 600 == 300 is a tie of the true quotient; the double's own error decides.
    ms = np.arange(300, 600 * 200_000, 600, dtype=np.float64)
    quotients = ms / 60_000
    assert _same(python_round(quotients, 2), [round(q, 2) for q in quotients.tolist()])
