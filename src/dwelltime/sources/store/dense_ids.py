"""The one rule for naming rows by a list of integer ids: ids dense enough are one key
range (`BETWEEN low AND high`), the others IN lists of at most `MAX_IN_LIST`.

A range is one scan of the key range instead of an index lookup per id: a batch's change
tracks read in 0.026 s against 0.037 s for the same ids as IN lists (bench/RESULTS.md),
and a listing page of a mirror compares its stored rows in one statement. `spread` says
how many keys the range may read per id: 1 (the default) takes it only when the ids are
every integer from their least to their greatest, so it reads exactly their rows; a caller
that leaves out the rows between itself (`IssueStore.site_rows`) may allow more.

`conditions` gives the rule as SQLAlchemy expressions; `sql_conditions` gives the same
conditions as DBAPI text for the fast paths that fetch plain tuples (`sql_lists`), whose
other parameters are the driver's positional marks. (SQLAlchemy compiles PostgreSQL's
parameters by name, which the driver refuses beside positional ones.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from dwelltime.sources.store.sql_lists import MAX_IN_LIST, id_chunks

__all__ = ["MAX_IN_LIST", "KeyRange", "conditions", "key_range", "sql_conditions"]


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Every key from `low` to `high`; `exact` when each of them is one of the ids."""

    low: int
    high: int
    exact: bool


def key_range(ids: Sequence[int], spread: int = 1) -> KeyRange | None:
    """The key range of `ids` (any order, repeats allowed) when it holds at most `spread`
    keys per distinct id; None when it holds more, or there are no ids (IN lists)."""
    if not ids:
        return None
    values = np.asarray(ids, dtype=np.int64)
    low, high = int(values.min()), int(values.max())
    keys = high - low + 1
    if keys > spread * len(values):  # then also per distinct id, without counting them
        return None
    # A count per key of the range (at most `spread` per id): linear, where sorting the ids
    # to find the distinct ones (np.unique) took 1.6 ms of a 10,000-id batch.
    distinct = int(np.count_nonzero(np.bincount(values - low)))
    if keys > spread * distinct:
        return None
    return KeyRange(low, high, exact=keys == distinct)


def conditions(column: sa.ColumnElement[int], ids: Sequence[int]) -> list[sa.ColumnElement[bool]]:
    """Conditions that together keep `column` to exactly `ids`: one `BETWEEN` when they are
    a whole key range, else one IN list per `MAX_IN_LIST` ids; none for no ids."""
    found = key_range(ids)
    if found is not None:
        return [column.between(found.low, found.high)]
    return [column.in_(chunk) for chunk in id_chunks(ids)]


def sql_conditions(
    column: str, ids: Sequence[int], mark: str, spread: int = 1
) -> Iterator[tuple[str, tuple[int, ...]]]:
    """`conditions` as DBAPI text with the driver's parameter `mark`, and their values.

    With `spread` above 1 a range may also name rows between the ids, which the caller
    leaves out.
    """
    found = key_range(ids, spread)
    if found is not None:
        yield f"{column} BETWEEN {mark} AND {mark}", (found.low, found.high)
        return
    for chunk in id_chunks(ids):
        yield f"{column} IN ({', '.join(mark for _ in chunk)})", tuple(chunk)
