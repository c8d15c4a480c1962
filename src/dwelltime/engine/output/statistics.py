"""Sum, mean, median and population standard deviation of many small groups of values at
once, with NumPy on one sorted copy (the aggregate sheets' arithmetic).

A polars group-by over a million cells holds several times their size in hash tables; one
lexicographic sort by (group, value) and segment reductions hold a few arrays of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Statistics:
    """Per segment (distinct key, ascending): its key and its four statistics."""

    keys: Ints
    sums: Floats
    means: Floats
    medians: Floats
    stds: Floats


def segment_statistics(
    keys: Ints, values: Floats, sizes_of: Callable[[Ints], Ints] | None = None
) -> Statistics:
    """Statistics of the values sharing a key.

    `sizes_of` None: over the values given (`nonNull`). Otherwise `sizes_of(segment_keys)`
    says how many members each segment has in all (>= its values): the missing ones count
    as zeros (`all`).
    Values are never negative, so the zeros sort first and the median is read around them;
    the spread adds the zeros exactly (m·var + m·(mean_m - mean)² + zeros·mean²).
    """
    keys, values = key_value_sorted(keys, values)
    if keys.size == 0:
        empty = np.zeros(0)
        return Statistics(keys, empty, empty, empty, empty)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, keys.size))
    sums = np.add.reduceat(values, starts)
    own_means = sums / counts
    # Squared deviations from each segment's mean, in one array (values - mean, squared).
    deviations = np.repeat(own_means, counts)
    np.subtract(values, deviations, out=deviations)
    np.multiply(deviations, deviations, out=deviations)
    squares = np.add.reduceat(deviations, starts)
    del deviations
    segment_keys = keys[starts]
    if sizes_of is None:
        middle = (values[starts + (counts - 1) // 2] + values[starts + counts // 2]) / 2
        return Statistics(segment_keys, sums, own_means, middle, np.sqrt(squares / counts))
    sizes = sizes_of(segment_keys)
    zeros = sizes - counts
    means = sums / sizes

    def at(position: Ints) -> Floats:
        inside = values[starts + np.clip(position - zeros, 0, None)]
        return np.where(position < zeros, 0.0, inside)

    spread = squares + counts * (own_means - means) ** 2 + zeros * means**2
    median = (at((sizes - 1) // 2) + at(sizes // 2)) / 2
    return Statistics(segment_keys, sums, means, median, np.sqrt(spread / sizes))


#: Up to this many segments, `key_value_sorted` sorts each segment's values on its own;
#: beyond, a call per segment costs more than two passes over every value.
SEGMENTS_SORTED_ONE_BY_ONE = 4096


def key_value_sorted(keys: Ints, values: Floats) -> tuple[Ints, Floats]:
    """`keys` and `values` in the order `np.lexsort((values, keys))` gives (ties within a
    key are equal values, so the arrays are lexsort's exactly), without its cost: a stable
    sort by key (radix when the keys fit 16 bits, as a report's segments do), then each
    segment's values sorted in place. Measured on 6 million cells of 15 segments: 0.47 s
    against 1.74 s for sorting the values first then the keys stably (and 0.31 s against
    0.61 s when they come in sorted runs). Many short segments (a group-by over a field
    of many values) take those two passes instead."""
    fits = keys.size and keys.min() >= 0 and keys.max() < 1 << 15
    small = keys.astype(np.int16) if fits else keys
    by_key = np.argsort(small, kind="stable")
    sorted_keys = keys[by_key]
    starts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    if starts.size >= SEGMENTS_SORTED_ONE_BY_ONE:
        order = np.argsort(values, kind="quicksort")
        order = order[np.argsort(small[order], kind="stable")]
        return keys[order], values[order]
    sorted_values = values[by_key]
    bounds = [0, *starts.tolist(), keys.size]
    for start, stop in pairwise(bounds):
        sorted_values[start:stop].sort()
    return sorted_keys, sorted_values
