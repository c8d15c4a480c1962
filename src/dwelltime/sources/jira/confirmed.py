"""What a Jira-bound export last confirmed current: the selection listed by ids alone,
and one search for what changed since.

An unchanged re-export listed every issue's `updated` to compare it with the store's copy
(30,000 issues: 4 MB of JSON, decoded and compared one entry at a time, as much client
CPU as the whole local export). Once an export has compared a selection, every issue it
found current, or fetched, is as new in the store as in Jira at the time its listing
began: that time and those ids are recorded per (site, JQL, reader) (`jira_confirmed`,
one row). The next export lists ids only (Jira's permissions still decide the selection)
and, beside it, `(JQL) AND updated >= -Nm` with N the minutes since that time plus
`MARGIN_MINUTES`: an issue missing from the store, or not confirmed then (created since,
moved into the selection, newly visible to the reader), is fetched; one Jira lists as
changed is compared by `updated`; any other was unchanged since the store confirmed it.

The window is relative (`-Nm`, Jira's own clock, so neither its time zone nor a skew
between the clocks matters: only the time elapsed on ours) and begins before the last
listing did; an issue changed during a listing is caught by the next export's window. A
selection with no record (a first export, a store before migration 0037, a record older
than `KEPT_FOR_MS`) is listed with `updated`, as before, and recorded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from dwelltime.domain.issues import Status
from dwelltime.sources.jira.editions import Listed
from dwelltime.sources.jira.tables import jira_confirmed
from dwelltime.sources.store import generation

#: Minutes the changed search looks back beyond the time since the last confirmation:
#: Jira's search index lags its writes by seconds, a request takes its time to reach
#: Jira, and our clock may be set back. A generous margin costs only the few issues
#: changed in it, compared with the store and not fetched.
MARGIN_MINUTES = 10
#: An older record is not used: its changed search would list much of the selection, in
#: sequential pages, dearer than the listing of `updated` asked in id ranges at once.
KEPT_FOR_MS = 7 * 86_400_000
_STORED = np.dtype("<i8")


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The ids (sorted) whose store copies were as new as Jira's at `at_ms`, the store's
    rows of them (aligned) while the store is at the `generation` they were read at (None:
    it has moved on since, or they were not kept), and the site's status catalog as Jira
    listed it then (None: recorded before migration 0039)."""

    at_ms: int
    ids: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64] | None = None
    statuses: tuple[Status, ...] | None = None

    def since_clause(self, now_ms: int) -> str:
        """The JQL clause of the issues Jira may have changed since `at_ms`."""
        minutes = max(0, -(-(now_ms - self.at_ms) // 60_000)) + MARGIN_MINUTES
        return f"updated >= -{minutes}m"

    def holds(
        self, ids: npt.NDArray[np.int64], rows: npt.NDArray[np.int64], statuses: Sequence[Status]
    ) -> bool:
        """Whether this record says what a new one of `ids`, `rows` (aligned, sorted by
        id) and `statuses` would: then only its time need move on (`save`)."""
        return (
            self.rows is not None
            and self.statuses == tuple(statuses)
            and np.array_equal(self.ids, ids)
            and np.array_equal(self.rows, rows)
        )

    def bounds(self, size: int | None) -> list[int]:
        """Where the confirmed selection is cut into id ranges of `size` issues (as
        `id_ranges.range_bounds` cuts the store's copy, without asking the store)."""
        return [] if size is None else [int(i) for i in self.ids[size::size]]


@dataclass(frozen=True, slots=True)
class Changes:
    """What an ids-only listing is compared by (`Mirror.compare`): the ids confirmed
    before, Jira's `updated` of those of the selection it lists as changed since, and the
    store's rows of the confirmed ones when nothing was written since (None: unknown)."""

    confirmed: frozenset[int]
    updated: dict[int, int | None]
    rows: dict[int, int] | None = None

    @staticmethod
    def of(known: Confirmed, changed: Iterable[Listed]) -> Changes:
        ids = known.ids.tolist()
        rows = None if known.rows is None else dict(zip(ids, known.rows.tolist(), strict=True))
        return Changes(frozenset(ids), {entry.id: entry.updated_ms for entry in changed}, rows)

    def looked_up(self, ids: list[int]) -> list[int]:
        """Those of `ids` whose store rows must be read: all, unless the rows are known;
        then only those Jira changed (an issue never confirmed is fetched unread)."""
        return ids if self.rows is None else [i for i in ids if i in self.updated]

    def unchanged_rows(self, ids: Iterable[int], short: Collection[int]) -> dict[int, int]:
        """Jira id -> the store's row of those of `ids` confirmed before, not changed
        since and not held `short` of a needed field's histories (`history_fields`), when
        the rows are known: as `held` finds them current, without asking one at a time."""
        if self.rows is None:
            return {}
        rows = self.rows
        return {
            i: rows[i] for i in self.confirmed.intersection(ids).difference(self.updated, short)
        }

    def held(
        self, jira_id: int, stored: dict[int, tuple[int, int | None]]
    ) -> tuple[tuple[int, int | None] | None, int | None]:
        """(the store's row and `updated` of `jira_id`, the `updated` to compare them
        with): Jira's if it changed, the store's own if it did not; none if the store
        never confirmed it (it is fetched, whatever the store holds)."""
        if jira_id not in self.confirmed:
            return None, None
        if jira_id in self.updated:
            return stored.get(jira_id), self.updated[jira_id]
        if self.rows is not None:
            return (self.rows[jira_id], 0), 0
        held = stored.get(jira_id)
        return held, None if held is None else held[1]


def now_ms() -> int:
    """This server's clock (what records are stamped with), epoch milliseconds."""
    return time.time_ns() // 1_000_000


def load(engine: sa.Engine, site: str, jql: str, reader: str, now_ms: int) -> Confirmed | None:
    """The record of (`site`, `jql`) as `reader`, unless there is none or it is older than
    `KEPT_FOR_MS`; its rows only if the store is still at their generation."""
    table = jira_confirmed
    query = sa.select(
        table.c.confirmed_ms,
        table.c.jira_ids,
        table.c.row_ids,
        table.c.generation,
        table.c.statuses,
    ).where(table.c.site == site, table.c.jql == jql, table.c.reader == reader)
    with engine.connect() as connection:
        found = connection.execute(query).first()
        now = generation.current(connection)
    if found is None or now_ms - found[0] > KEPT_FOR_MS:
        return None
    at_ms, ids, rows, at, statuses = found
    kept = rows is not None and at == now
    catalog = None if statuses is None else tuple(Status(*s) for s in json.loads(statuses))
    return Confirmed(at_ms, _unpacked(ids), _unpacked(rows) if kept else None, catalog)


def store_generation(engine: sa.Engine) -> int:
    """The generation rows read from now on are valid at (`save`'s `at_generation`)."""
    with engine.connect() as connection:
        return generation.current(connection)


def save(
    engine: sa.Engine,
    site: str,
    jql: str,
    reader: str,
    at_ms: int,
    rows: dict[int, int],
    at_generation: int,
    statuses: Sequence[Status],
    known: Confirmed | None = None,
) -> None:
    """Record that the issues of `rows` (Jira id -> the store's row, read at or after
    `at_generation`) were current at `at_ms`, Jira's catalog being `statuses`, replacing
    the record before. When that record (`known`, as loaded) already says so, only its
    time moves on: rewriting 30,000 ids and rows on every unchanged re-export cost more
    than the export's own store work."""
    table = jira_confirmed
    own = sa.and_(table.c.site == site, table.c.jql == jql, table.c.reader == reader)
    ids = np.fromiter(rows.keys(), dtype=np.int64, count=len(rows))
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    stored = np.fromiter(rows.values(), dtype=np.int64, count=len(rows))[order]
    if known is not None and known.holds(ids, stored, statuses):
        renewed = table.update().where(own, table.c.confirmed_ms == known.at_ms)
        with engine.begin() as connection:
            if connection.execute(renewed.values(confirmed_ms=at_ms)).rowcount:
                return
        # Another export replaced the record meanwhile: this one's is written whole.
    row = {
        "site": site,
        "jql": jql,
        "reader": reader,
        "confirmed_ms": at_ms,
        "jira_ids": ids.astype(_STORED).tobytes(),
        "row_ids": stored.astype(_STORED).tobytes(),
        "generation": at_generation,
        "statuses": json.dumps([[s.id, s.name, s.category] for s in statuses]),
    }
    with engine.begin() as connection:
        connection.execute(table.delete().where(own))
        connection.execute(table.insert(), row)


def extend(
    engine: sa.Engine, site: str, jql: str, reader: str, at_ms: int, jira_ids: Iterable[int]
) -> None:
    """Add `jira_ids` (fetched after `at_ms`) to the record made at `at_ms`; not to a later
    one another export made meanwhile, which they were not compared for. Their rows are
    not known here, and the fetch moved the store on: the record keeps no rows."""
    table = jira_confirmed
    own = sa.and_(
        table.c.site == site,
        table.c.jql == jql,
        table.c.reader == reader,
        table.c.confirmed_ms == at_ms,
    )
    with engine.begin() as connection:
        held = connection.execute(sa.select(table.c.jira_ids).where(own)).scalar()
        if held is not None:
            ids = np.union1d(_unpacked(held), np.fromiter(jira_ids, dtype=np.int64))
            packed = ids.astype(_STORED).tobytes()
            update = table.update().where(own)
            connection.execute(update.values(jira_ids=packed, row_ids=None, generation=None))


def _unpacked(blob: bytes) -> npt.NDArray[np.int64]:
    return np.frombuffer(blob, dtype=_STORED).astype(np.int64)
