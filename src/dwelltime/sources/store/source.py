"""`LocalSource`: the `IssueSource` over the local store (the embedded default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import schema
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.filters import order_key, selection_where
from dwelltime.sources.store.generation import condition_key, current
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.positions import window_ids, window_starts
from dwelltime.sources.store.sql_lists import even_batches
from dwelltime.sources.store.summaries import STATUSES, TRANSITIONS, Summary, count_of
from dwelltime.sources.store.visited import status_frame, transition_frame


class LocalSource:
    """Reads selections from an `IssueStore` in stable, ordered batches.

    A selection is resolved to its ordered issue ids once and remembered, so `count()`
    and the `batches()` that follow cover exactly the same issues even while an import
    runs beside them. With `site` (a token bound to one) only that site's issues are read.
    A window (`start_index`, `max_issues`) is resolved by the database to
    the window's ids alone; the whole selection's count after a window is a SQL count, so a
    page never fetches every id of its selection. That count, the visited statuses and
    transitions come from the store's selection summaries (`summaries`), remembered per
    generation (`generation`) and kept true by its writes, so pages of one selection pay
    them once, not once per page or per write.
    """

    def __init__(self, store: IssueStore, site: str | None = None) -> None:
        self._store = store
        self._engine = store.engine
        self._site = site
        self._resolved: tuple[Selection, Sequence[int]] | None = None

    def computing(self, selection: Selection) -> AbstractContextManager[None]:
        """Nothing to guess: the store is its own source of truth."""
        return nullcontext()

    def statuses(self) -> list[Status]:
        """The catalog in the order it was imported (Jira's /status order), remembered per
        generation (every report and page asks for it first)."""
        table = schema.statuses

        def read() -> tuple[Status, ...]:
            query = sa.select(table).order_by(table.c.position, table.c.id)
            rows = connection.execute(query).all()
            return tuple(Status(id=row.id, name=row.name, category=row.category) for row in rows)

        with self._engine.connect() as connection:
            return list(self._store.catalog.known(connection, "statuses", read))

    def count(self, selection: Selection) -> int:
        """How many issues `selection` covers: its resolved ids' (a window's), or, for the
        whole selection of the window resolved last, `whole_count`."""
        resolved = self._resolved
        if resolved is not None and resolved[0] != selection and resolved[0].whole() == selection:
            return self.whole_count(selection)
        return len(self._ids(selection))

    def whole_count(self, selection: Selection) -> int:
        """How many issues the whole `selection` holds, without resolving its ids: from
        its summary (`summaries`), remembered per generation as `assume_count` does (a
        split export's planner; the count after a window)."""
        with self._engine.connect() as connection:
            return self._whole_count_in(connection, self._scoped(selection))

    def _whole_count_in(self, connection: sa.Connection, scoped: Selection) -> int:
        """`whole_count` of the already `scoped` selection on an open `connection` (a
        window's resolution asks it in the middle of its own queries)."""
        where = selection_where(connection, scoped)
        return self._store.counts.known(
            connection,
            condition_key(connection, where),
            lambda: count_of(self._store.summary(connection, where, STATUSES)),
        )

    def window_starts(
        self, selection: Selection, firsts: Sequence[int]
    ) -> list[tuple[Any, ...]] | None:
        """The keys windows of the whole `selection` from positions `firsts` start after
        (`positions.window_starts`): a split export's planner finds its chunks' windows
        without reading every id of the selection. None when it has an ORDER BY."""
        with self._engine.connect() as connection:
            return window_starts(connection, self._scoped(selection), firsts)

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        ids = self._ids(selection)
        for chunk in even_batches(ids, batch_size):
            with self._engine.connect() as connection:
                prefer_key_lookups(connection)
                yield read_batch(connection, chunk, selection)

    def visited_statuses(self, selection: Selection, deleted: bool) -> pl.DataFrame:
        with self._engine.connect() as connection:
            where = selection_where(connection, self._scoped(selection))
            key = (condition_key(connection, where), deleted)

            def frame() -> pl.DataFrame:
                summary = self._store.summary(connection, where, STATUSES)
                return status_frame(connection, where, _held(summary), deleted)

            return self._store.visited.known(connection, key, frame)

    def visited_transitions(self, selection: Selection) -> pl.DataFrame:
        with self._engine.connect() as connection:
            where = selection_where(connection, self._scoped(selection))
            key = (condition_key(connection, where), TRANSITIONS)
            return self._store.visited.known(
                connection,
                key,
                lambda: transition_frame(
                    _held(self._store.summary(connection, where, TRANSITIONS))
                ),
            )

    def resume_key(self, selection: Selection) -> tuple[Any, ...] | None:
        ids = self._ids(selection)
        if not ids:
            return None
        with self._engine.connect() as connection:
            return order_key(connection, self._scoped(selection), ids[-1])

    def newest_row(self) -> int | None:
        with self._engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(schema.issues.c.id))).scalar()

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return load_calendar(self._engine, calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        table = schema.saved_filters
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == filter_id)).first()
        if row is None:
            return None
        return SavedFilter(id=row.id, name=row.name, jql=row.jql, owner=row.owner)

    def ids(self, selection: Selection) -> Sequence[int]:
        """The ids `selection` covers, in report order (resolved once, as for `count`)."""
        return self._ids(selection)

    def pin(self, selection: Selection, ids: Sequence[int]) -> None:
        """Take `ids` as what `selection` covers without asking the database: a chunk of
        a split export reads the window its planner resolved, instead of resolving it
        again (the database sorts every issue of the selection to find a window)."""
        self._resolved = (selection, ids)

    def generation(self) -> int:
        """The store's generation now (`generation`): read before a selection's ids, it
        names the store they were resolved in, for `assume_count`."""
        with self._engine.connect() as connection:
            return current(connection)

    def assume_count(self, selection: Selection, count: int, generation: int) -> None:
        """Take `count` as how many issues `selection` held at `generation` (a split
        export's planner counted them): `count` asks the database again only once the
        store has moved on, so a chunk checks for an import in between without a COUNT
        of the whole selection while nothing was written."""
        with self._engine.connect() as connection:
            where = selection_where(connection, self._scoped(selection))
            self._store.counts.remember(condition_key(connection, where), generation, count)

    def _ids(self, selection: Selection) -> Sequence[int]:
        if self._resolved is None or self._resolved[0] != selection:
            with self._engine.connect() as connection:
                scoped = self._scoped(selection)
                ids = window_ids(
                    connection,
                    scoped,
                    self._store.landmarks,
                    lambda: self._whole_count_in(connection, scoped),
                )
                self._resolved = (selection, ids)
        return self._resolved[1]

    def _scoped(self, selection: Selection) -> Selection:
        """`selection` kept to this source's site, when it has one."""
        return selection if self._site is None else replace(selection, site=self._site)


def _held(summary: Summary) -> list[str]:
    """The packed texts at least one of the selection's issues holds."""
    return [text for text, issues in summary.items() if issues > 0]


def prefer_key_lookups(connection: sa.Connection) -> None:
    """On PostgreSQL, plan this transaction's batch reads as primary-key lookups.

    A batch is a few thousand ids out of the store; for 2 % of 100,000 issues the planner
    chose sequential scans of `histories` and `change_items` (a hash join), 5x slower than
    the key lookups (EXPLAIN ANALYZE: 243 ms against 47 ms a batch), and a scan's cost
    grows with the store while a batch's does not.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
