"""`LocalSource`: the `IssueSource` over the local store (the embedded default)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import schema
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.filters import selection_ids
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.sql_lists import id_chunks


class LocalSource:
    """Reads selections from an `IssueStore` in stable, ordered batches.

    A selection is resolved to its ordered issue ids once and remembered, so `count()`
    and the `batches()` that follow cover exactly the same issues even while an import
    runs beside them.
    """

    def __init__(self, store: IssueStore) -> None:
        self._engine = store.engine
        self._resolved: tuple[Selection, list[int]] | None = None

    def statuses(self) -> list[Status]:
        """The catalog in the order it was imported (Jira's /status order)."""
        table = schema.statuses
        with self._engine.connect() as connection:
            order = _insertion_order(connection, table)
            rows = connection.execute(sa.select(table).order_by(order)).all()
        return [Status(id=row.id, name=row.name, category=row.category) for row in rows]

    def count(self, selection: Selection) -> int:
        return len(self._ids(selection))

    def batches(
        self, selection: Selection, batch_size: int, first: int = 0, stop: int | None = None
    ) -> Iterator[IssueBatch]:
        ids = self._ids(selection)[first:stop]
        for chunk in id_chunks(ids, batch_size):
            with self._engine.connect() as connection:
                yield read_batch(connection, chunk, selection)

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return load_calendar(self._engine, calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        table = schema.saved_filters
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == filter_id)).first()
        if row is None:
            return None
        return SavedFilter(id=row.id, name=row.name, jql=row.jql, owner=row.owner)

    def _ids(self, selection: Selection) -> list[int]:
        if self._resolved is None or self._resolved[0] != selection:
            with self._engine.connect() as connection:
                self._resolved = (selection, selection_ids(connection, selection))
        return self._resolved[1]


def _insertion_order(connection: sa.Connection, table: sa.Table) -> sa.ColumnElement[object]:
    # SQLite keeps insertion order in the rowid (upserts keep it too); other databases
    # have no such column, and there the id is the stable order.
    if connection.dialect.name == "sqlite":
        return sa.literal_column(f"{table.name}.rowid")
    return table.c.id
