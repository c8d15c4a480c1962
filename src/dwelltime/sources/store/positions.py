"""Positions a `/rest/issues` page started or ended at, remembered as report-order keys
(landmarks) per selection and store generation, so a deep `startIssueIndex` page starts
from the nearest one below it instead of having the database walk the report-order index
from the top (~0.01 s at position 199,800 of 200,000, a fifth of the page).

Under one generation the store holds the same rows, so the issues after the key of the
row at position p - 1 are exactly those from position p on: a page at p + k is `k` rows
past that key. A walk page by page finds the previous page's end; a first deep page walks
once (one row more than its window: the key of the row before it is its start's landmark),
from the selection's end when it lies in the second half of a selection in the default
report order (`tail_ids`: the database walks the rows after it, not the ~200,000 before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from dwelltime.domain.selection import Selection
from dwelltime.sources.store.filters import (
    in_index_order,
    order_identity,
    order_key,
    selection_ids,
    tail_ids,
)
from dwelltime.sources.store.generation import SelectionFacts, current

#: Landmarks kept per selection (the oldest go first).
MAX_MARKS = 64
#: Position -> the report-order key of the row just before it.
Marks = dict[int, tuple[Any, ...]]


def window_ids(
    connection: sa.Connection,
    selection: Selection,
    landmarks: SelectionFacts[Marks],
    total: Callable[[], int],
) -> Sequence[int]:
    """`selection_ids` of a window, from the landmark nearest below its start; without
    one, a window in the second half of the selection (of `total()` issues) is read from
    the selection's end.

    A landmark, or the count a read from the end is offset by, is of the generation it
    was learnt at, and the rows after it are read by a later statement: when the store
    has moved on in between (the generation read again after them), the window is walked
    to in one statement instead, which reads one state, and nothing is marked."""
    start, size = selection.start_index, selection.max_issues
    if selection.after is not None or start == 0 or size is None:
        return selection_ids(connection, selection)
    identity = order_identity(connection, selection)
    generation, marks = landmarks.known_at(connection, identity, dict)
    nearest = max((position for position in marks if position <= start), default=None)
    found: Marks = {}
    if nearest is not None:
        after = replace(selection, after=marks[nearest])
        ids = selection_ids(connection, after, skip=start - nearest)
    else:
        # With the row before it, whose key is the start's landmark.
        before = replace(selection, start_index=start - 1, max_issues=size + 1)
        tail = tail_ids(connection, before, total)
        ids = selection_ids(connection, before) if tail is None else tail
        if ids:
            found[start] = order_key(connection, selection, ids[0])
            ids = ids[1:]
    if ids:
        found[start + len(ids)] = order_key(connection, selection, ids[-1])
    if current(connection) != generation:
        return selection_ids(connection, selection)
    for position, key in found.items():
        _mark(marks, position, key)
    return ids


def window_starts(
    connection: sa.Connection, selection: Selection, firsts: Sequence[int]
) -> list[tuple[Any, ...]] | None:
    """The report-order key of the row just before each of the ascending positions `firsts`
    (each past 0) of the whole `selection`: the window from such a position is the keyset
    window after its key (`Selection.after`). Each key is found from the one before it, so
    the database walks the selection's index once, in all, and no id reaches Python; the
    keys stop short at the selection's end. None when the selection has an ORDER BY: each
    key would sort the whole selection again."""
    whole = selection.whole()
    if not in_index_order(connection, whole):
        return None
    keys: list[tuple[Any, ...]] = []
    previous = 0  # the position of the row of the last key found
    for first in firsts:
        if keys:
            # The row `first - 1` is `first - previous - 2` rows past the row `previous`.
            after = replace(whole, after=keys[-1], max_issues=1)
            ids = selection_ids(connection, after, skip=first - previous - 2)
        else:
            ids = selection_ids(connection, replace(whole, start_index=first - 1, max_issues=1))
        if not ids:
            break
        keys.append(order_key(connection, whole, ids[0]))
        previous = first - 1
    return keys


def _mark(marks: Marks, position: int, key: tuple[Any, ...]) -> None:
    marks[position] = key
    while len(marks) > MAX_MARKS:
        del marks[next(iter(marks))]
