"""The store's generation (migration 0027) and the facts about selections learnt under it.

Every write of issue data (`IssueStore.write`, `IssueStore.delete_issues`) bumps the one
counter in its own transaction, so whichever process writes, every reader sees the new
generation once the data is committed. A synchronous page asks two things of the whole
selection that cost more than the page itself: how many issues it holds (a COUNT) and
which statuses they visit (a DISTINCT, the report's columns). Both are kept per store,
keyed by the selection's compiled SQL condition (so everything that decides which issues
are covered is in the key: the filter, a saved filter's JQL, relative dates resolved at
the report's `now`, the token's site, which is all a caller changes, the store's JQL
refusing `currentUser()`) and answered again only when the generation has moved.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import sqlalchemy as sa

from dwelltime.sources.store import schema

#: How many facts a store keeps (the least recently used go first).
MAX_FACTS = 256
_T = TypeVar("_T")
_TABLE = schema.store_generation


def bump(connection: sa.Connection) -> None:
    """Move the generation on, inside the writing transaction (committed with the data)."""
    connection.execute(sa.update(_TABLE).values(generation=_TABLE.c.generation + 1))


def current(connection: sa.Connection) -> int:
    """The generation committed now."""
    return int(connection.execute(sa.select(_TABLE.c.generation)).scalar_one())


def condition_key(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Hashable:
    """`where` as the database receives it: its SQL text and its bound values."""
    compiled = where.compile(dialect=connection.dialect)
    return str(compiled), tuple(sorted((name, repr(v)) for name, v in compiled.params.items()))


class SelectionFacts(Generic[_T]):
    """One kind of fact (counts, visited statuses) about selections of one store, each
    under the generation it was read at; one of an older generation is read again."""

    def __init__(self, size: int = MAX_FACTS) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[int, _T]] = OrderedDict()
        self._lock = threading.Lock()

    def known(self, connection: sa.Connection, key: Hashable, read: Callable[[], _T]) -> _T:
        """The fact `key` of the current generation: remembered, or `read` now.

        The generation is read before the fact, so a write committed in between can only
        make the remembered fact newer than its generation, never older: the next reader
        sees the new generation and reads the fact again.
        """
        return self.known_at(connection, key, read)[1]

    def known_at(
        self, connection: sa.Connection, key: Hashable, read: Callable[[], _T]
    ) -> tuple[int, _T]:
        """`known`, with the generation the fact is of: a reader that goes on reading
        (`positions.window_ids`) checks the generation again after, to know that all it
        read was of that one."""
        generation = current(connection)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == generation:
                self._entries.move_to_end(key)
                return generation, entry[1]
        fact = read()
        self.remember(key, generation, fact)
        return generation, fact

    def remember(self, key: Hashable, generation: int, fact: _T) -> None:
        """Keep `fact` as `key`'s under `generation`, however it was learnt: by `known`, or
        by another process that read it at that generation (a split export's planner)."""
        with self._lock:
            self._entries[key] = (generation, fact)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
