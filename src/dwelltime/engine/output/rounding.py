"""Python's `round(x, n)` over a whole NumPy array, bit for bit.

Cells have always been `round(ms / unit, n)` computed one Python float at a time, and the
files must stay byte-identical, so the vectorised rounding has to reproduce Python's rule
exactly rather than NumPy's (`np.round` scales by 10**n in floating point, which moves
values near a tie to the wrong side). Python rounds the exact binary value of `x` to `n`
decimals, ties to even, and returns the double nearest to that decimal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: 2**27 + 1: Veltkamp's splitter for doubles (53-bit significands).
_SPLITTER = 134_217_729.0
#: At and above 2**52 a double has no fractional bits; such (rare) values take Python's path.
_EXACT_LIMIT = 2.0**52

Floats = npt.NDArray[np.float64]


def python_round(values: Floats, decimals: int) -> Floats:
    """`round(v, decimals)` of each value (0 ≤ decimals ≤ 6), NaN staying NaN.

    The scaled value `v * 10**decimals` is computed with its exact rounding error (Dekker's
    product: the scale has few bits, so both halves multiply exactly); the fraction of the
    rounded product then decides, and on an exact half the error's sign does (zero: a true
    tie, to even). The integer result divided by the scale is correctly rounded, as Python's
    result is: the double nearest to the decimal.
    """
    scale = 10.0**decimals
    with np.errstate(invalid="ignore", over="ignore"):
        product = values * scale
        split = _SPLITTER * values
        high = split - (split - values)
        error = (high * scale - product) + (values - high) * scale
        whole = np.floor(product)
        fraction = product - whole
        tie_up = (error > 0) | ((error == 0) & (np.fmod(whole, 2) != 0))
        up = (fraction > 0.5) | ((fraction == 0.5) & tie_up)
        result: Floats = np.copysign((whole + up) / scale, values)
    odd = ~np.isfinite(product) | (np.abs(product) >= _EXACT_LIMIT)
    for position in np.flatnonzero(odd & ~np.isnan(values)):
        result[position] = round(float(values[position]), decimals)
    result[np.isnan(values)] = np.nan
    return result
