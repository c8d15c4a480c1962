"""The local issue store: one `write` that upserts issues with their histories, and reads
of what it holds (emptiness, statistics, saved parameter sets).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.caller import Caller
from dwelltime.domain.issues import Status
from dwelltime.domain.sites import LEGACY_SITE
from dwelltime.errors import SourceError
from dwelltime.sources.store import generation, schema, summaries
from dwelltime.sources.store.data import ChangelogPart, StoreData, WriteCounts
from dwelltime.sources.store.dense_ids import sql_conditions
from dwelltime.sources.store.generation import SelectionFacts, condition_key
from dwelltime.sources.store.positions import Marks
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder
from dwelltime.sources.store.stats import StoreStats, read_stats
from dwelltime.sources.store.summaries import Summary, SummaryUpkeep
from dwelltime.sources.store.writer import StoreWriter

#: `site_rows` scans the key range of ids spanning at most this many times their number.
DENSE_SPAN = 2

__all__ = ["ChangelogPart", "IssueStore", "ParamSet", "StoreData", "StoreStats", "WriteCounts"]


@dataclass(frozen=True, slots=True)
class ParamSet:
    """Saved report parameters that `paramSetId` names; explicit parameters override them.

    `public` sets are visible to every user; the others only to their owner (and admins).
    """

    id: str
    name: str
    owner: str | None
    params: Mapping[str, list[str]]
    public: bool = False

    def readable_by(self, caller: Caller) -> bool:
        """Own and public sets for everyone (a set nobody owns is public); all of them for
        admins and the operator."""
        return (
            self.public
            or self.owner is None
            or caller.admin
            or caller.is_operator
            or self.owner == caller.user
        )

    def writable_by(self, caller: Caller) -> bool:
        """Only the owner changes a set (admins see all but write their own), and the operator."""
        return caller.is_operator or (self.owner is not None and self.owner == caller.user)


class IssueStore:
    """Issues, histories and catalogs in one SQL database (SQLite file by default).

    `counts` and `visited` remember, per store generation, how many issues whole
    selections hold and what they visit (`generation`), `summary` their summaries
    (`summaries`), `landmarks` where their pages started (`positions`) and `catalog` the
    status catalog (written only by `write`, which moves the generation): every source
    over this store shares them."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.catalog: SelectionFacts[tuple[Status, ...]] = SelectionFacts(size=1)
        self.counts: SelectionFacts[int] = SelectionFacts()
        self._summaries: SelectionFacts[Summary] = SelectionFacts()
        self.visited: SelectionFacts[pl.DataFrame] = SelectionFacts()
        self.landmarks: SelectionFacts[Marks] = SelectionFacts()

    @classmethod
    def open(cls, settings: Settings) -> IssueStore:
        """The store of `settings`, its schema brought up to date first."""
        url = settings.resolved_database_url
        engine = db.create_db_engine(url)
        db.upgrade(url, engine=engine)
        return cls(engine)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def summary(
        self, connection: sa.Connection, where: sa.ColumnElement[bool], kind: str
    ) -> Summary:
        """The summary of the issues meeting `where` (`selection_where`) of `kind`: this
        store's remembered one of the current generation, else the one the store keeps,
        else read now (and kept, when `where` allows: `summaries.written_condition`)."""

        def read() -> Summary:
            at = generation.current(connection)
            condition = summaries.written_condition(connection, where)
            if condition is not None:
                kept = summaries.stored(connection, condition, kind, at)
                if kept is not None:
                    return kept
            summary = summaries.summarize(connection, where, kind)
            if condition is not None:
                summaries.keep(self._engine, condition, kind, at, summary)
            return summary

        return self._summaries.known(connection, (condition_key(connection, where), kind), read)

    def write(self, data: StoreData) -> WriteCounts:
        """Store `data` in one transaction (all of it or, on error, nothing), keeping the
        selection summaries true (the generation moves first: a concurrent write waits
        for this one before it reads them)."""
        written = [issue.id for issue in data.issues] + [part.issue_id for part in data.changelogs]
        sites = [LEGACY_SITE] if data.site is None else [data.site, LEGACY_SITE]
        try:
            with self._engine.begin() as connection:
                generation.bump(connection)
                upkeep = SummaryUpkeep(connection, sites, written)
                upkeep.before()
                counts = StoreWriter(connection).write(data)
                upkeep.after()
                return counts
        except sa.exc.IntegrityError as error:
            raise SourceError(f"The store refused the data: {error.orig}") from error

    def is_empty(self) -> bool:
        with self._engine.connect() as connection:
            return connection.execute(sa.select(schema.issues.c.id).limit(1)).first() is None

    def site_rows(self, site: str, jira_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
        """Jira id -> (row id, `updated`) of the issues of `site` the store holds: a mirror
        compares the `updated` with Jira's and reads batches by the row ids. Plain DBAPI
        tuples: a re-export compares its whole listing (30,000 rows wrapped as SQLAlchemy
        rows took 0.3 s, bench/RESULTS.md)."""
        found: dict[int, tuple[int, int | None]] = {}
        if not jira_ids:
            return found
        # Ids close together (a listing's page, a range of one) are one scan of their key
        # range instead of an IN-list lookup per id: the few rows between them are left out.
        wanted = set(jira_ids)
        with self._engine.connect() as connection:
            mark = placeholder(connection)
            sql = f"SELECT jira_id, id, updated_ms FROM issues WHERE site = {mark} AND "
            for condition, values in sql_conditions("jira_id", jira_ids, mark, DENSE_SPAN):
                rows = fetch_tuples(connection, sql + condition, (site, *values))
                found.update(
                    (jira_id, (row, updated)) for jira_id, row, updated in rows if jira_id in wanted
                )
        return found

    def delete_issues(
        self, site: str, jira_ids: Sequence[int], also: Sequence[sa.Table] = ()
    ) -> int:
        """Remove these issues of `site` (gone from Jira) in one transaction; returns how
        many the store held. Their histories, change items and sprint links go with them
        (cascading), and so does everything derived from their rows (`visited_statuses`
        lives on the row). `also`: tables keyed by (`site`, `jira_id`) that describe these
        issues and must not outlive them (the Jira package's history marks)."""
        table = schema.issues
        deleted = 0
        with self._engine.begin() as connection:
            generation.bump(connection)
            upkeep = SummaryUpkeep(connection, [site], jira_ids)
            upkeep.before()
            for chunk in id_chunks(jira_ids):
                rows = sa.select(table.c.id).where(table.c.site == site, table.c.jira_id.in_(chunk))
                # Children first: SQLite cascades only with foreign keys on, which a
                # connection made outside `db.create_db_engine` may not have.
                for child in (schema.change_items, schema.histories, schema.issue_sprints):
                    connection.execute(child.delete().where(child.c.issue_id.in_(rows)))
                result = connection.execute(
                    table.delete().where(table.c.site == site, table.c.jira_id.in_(chunk))
                )
                deleted += result.rowcount
                for other in also:
                    connection.execute(
                        other.delete().where(other.c.site == site, other.c.jira_id.in_(chunk))
                    )
            upkeep.after()
        return deleted

    def sites_holding(self, jira_ids: Collection[int]) -> set[str]:
        """The sites that hold an issue with one of these Jira ids."""
        table = schema.issues
        found: set[str] = set()
        with self._engine.connect() as connection:
            for chunk in id_chunks(sorted(jira_ids)):
                query = sa.select(table.c.site).where(table.c.jira_id.in_(chunk)).distinct()
                found.update(connection.execute(query).scalars())
        return found

    def has_status_catalog(self) -> bool:
        """Whether any status list was stored (reports treat unlisted statuses as deleted)."""
        with self._engine.connect() as connection:
            return connection.execute(sa.select(schema.statuses.c.id).limit(1)).first() is not None

    def stats(self) -> StoreStats:
        with self._engine.connect() as connection:
            return read_stats(connection)

    def param_set(self, param_set_id: str) -> ParamSet | None:
        """The saved parameter set with that id, or None when unknown."""
        table = schema.param_sets
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == param_set_id)).first()
        return None if row is None else _param_set(row)

    def param_sets(self) -> list[ParamSet]:
        """Every saved parameter set, by id."""
        table = schema.param_sets
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
        return [_param_set(row) for row in rows]

    def save_param_set(self, param_set: ParamSet) -> None:
        """Create or replace the parameter set with `param_set.id`."""
        table = schema.param_sets
        values = {
            "name": param_set.name,
            "owner": param_set.owner,
            "params": json.dumps(dict(param_set.params)),
            "public": param_set.public,
        }
        with self._engine.begin() as connection:
            connection.execute(table.delete().where(table.c.id == param_set.id))
            connection.execute(table.insert().values(id=param_set.id, **values))

    def delete_param_set(self, param_set_id: str) -> bool:
        """Remove a parameter set; False when there was none with that id."""
        table = schema.param_sets
        with self._engine.begin() as connection:
            deleted = connection.execute(table.delete().where(table.c.id == param_set_id))
        return deleted.rowcount > 0


def _param_set(row: sa.Row[Any]) -> ParamSet:
    params = json.loads(row.params)
    if not isinstance(params, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in params.values()
    ):
        raise SourceError(f"Parameter set {row.id} is not a map of name to strings.")
    return ParamSet(row.id, row.name, row.owner, params, bool(row.public))
