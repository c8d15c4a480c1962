"""Selection summaries (migration 0036): facts about a whole selection that every store
write keeps true, so a page's count and columns survive a write and a new process.

A page needs two things of the whole selection, its count and the statuses (or
transitions) its issues visit: a COUNT and a DISTINCT over every issue row (~0.14 s of
CPU at 200,000 issues, three times the page's own work). A summary holds both at once:
how many of the selection's issues hold each distinct `visited_statuses` (or
`visited_transitions`) text. It is stored with the generation it is true at, and a write
keeps it true in its own transaction: it takes away the share of the rows it may change
(those of its Jira ids) before writing them and adds their share back after. Only the
rows a write names can change that way when the condition reads the `issues` row
alone; a condition on another table (a sprint's name, a status's category, assignees in
change items) can change for rows no write names, so such selections are not summarised
and keep the per-process facts of `generation`. A summary of another generation than the
current (a write by a version before 0036) is never read.

Summaries are kept from a page at most `MAX_SUMMARIES` (each costs every write two
queries over its rows), without waiting for a writer: a page never queues behind an
import to save one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.sql import elements, functions, visitors

from dwelltime.sources.store import dense_ids, generation, schema
from dwelltime.sources.store.sql_lists import id_chunks

#: How many summaries a store keeps (the oldest kept go first).
MAX_SUMMARIES = 16
#: What a summary counts: issues per `visited_statuses` or per `visited_transitions` text.
STATUSES, TRANSITIONS = "statuses", "transitions"
_COLUMNS = {
    STATUSES: schema.issues.c.visited_statuses,
    TRANSITIONS: schema.issues.c.visited_transitions,
}
_TABLE = schema.selection_summaries
_OTHER_ROWS = (sa.Select, sa.Exists, sa.ScalarSelect, sa.FromClause)
#: Expressions whose value is their parts' alone (functions, operators, constants).
_OF_THE_ROW = (
    elements.BooleanClauseList,
    elements.ClauseList,
    elements.BinaryExpression,
    elements.UnaryExpression,
    elements.Grouping,
    elements.BindParameter,
    elements.Null,
    elements.True_,
    elements.False_,
    elements.Cast,
    elements.Case,
    elements.Tuple,
    elements.TypeCoerce,
    functions.Function,
)
#: Packed text -> how many of the selection's issues hold it ("" for none).
Summary = Counter[str]


def written_condition(connection: sa.Connection, where: sa.ColumnElement[bool]) -> str | None:
    """`where` as SQL with its values written in, when a summary of it can be kept: it
    reads the `issues` row alone and every value has a literal form; else None."""
    for element in visitors.iterate(where):
        if isinstance(element, _OTHER_ROWS) and not isinstance(element, functions.Function):
            return None  # a subquery: other rows, or other tables, decide
        if isinstance(element, sa.ColumnClause):
            if element.table is not schema.issues:
                return None
        elif not isinstance(element, _OF_THE_ROW):
            return None  # an element whose parts are not known (or not seen) here
    try:
        compiled = where.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    except (sa.exc.CompileError, NotImplementedError):
        return None
    return str(compiled)


def summarize(connection: sa.Connection, where: sa.ColumnElement[bool], kind: str) -> Summary:
    """The summary of the issues meeting `where`, from the database: one scan."""
    return _shares(connection, [where], kind)


def count_of(summary: Summary) -> int:
    return sum(summary.values())


def stored(connection: sa.Connection, condition: str, kind: str, current: int) -> Summary | None:
    """The kept summary of `condition`, when it is true at generation `current`."""
    query = sa.select(_TABLE.c.condition, _TABLE.c.generation, _TABLE.c.summary).where(
        _TABLE.c.digest == _digest(kind, condition)
    )
    row = connection.execute(query).first()
    if row is None or row.generation != current or row.condition != condition:
        return None
    return _summary(row.summary)


def keep(engine: sa.Engine, condition: str, kind: str, at: int, summary: Summary) -> None:
    """Keep `summary` of `condition`, read at generation `at`, unless a write has moved
    the generation since (it could not have kept this one true) or holds the write lock
    (the page does not wait: the next one keeps it)."""
    try:
        with engine.begin() as connection, _without_waiting(connection):
            if generation.current(connection) != at:
                return
            digest = _digest(kind, condition)
            connection.execute(_TABLE.delete().where(_TABLE.c.digest == digest))
            oldest = sa.select(_TABLE.c.digest).order_by(_TABLE.c.kept_ms.desc())
            _drop(connection, connection.execute(oldest.offset(MAX_SUMMARIES - 1)).scalars().all())
            connection.execute(
                _TABLE.insert().values(
                    digest=digest,
                    kind=kind,
                    condition=condition,
                    generation=at,
                    summary=_text(summary),
                    kept_ms=time.time_ns() // 1_000_000,
                )
            )
    except sa.exc.OperationalError:
        return


class SummaryUpkeep:
    """What one write does to the kept summaries, inside its transaction: `before` it
    changes the rows of `jira_ids` in `sites`, each summary loses their share; `after`,
    gets it back as written, and is stamped with the write's generation. Summaries not
    true at the generation before the write are dropped.

    Every summary's share comes from one pass over the written rows per kind (a sum per
    condition, `_shares_of_each`) and every stamp from one statement: a query per summary
    and phase took a fifth of a demo import's store time with 16 kept (bench/RESULTS.md).
    """

    def __init__(self, connection: sa.Connection, sites: Iterable[str], jira_ids: Collection[int]):
        self._connection = connection
        self._written = _rows_of(sorted(set(sites)), sorted(set(jira_ids)))
        self._now = generation.current(connection)
        rows = connection.execute(sa.select(_TABLE)).all()
        _drop(connection, [row.digest for row in rows if row.generation != self._now - 1])
        self._kept = [
            (row.digest, row.kind, row.condition, _summary(row.summary))
            for row in rows
            if row.generation == self._now - 1
        ]

    def before(self) -> None:
        for (_, _, _, summary), share in zip(self._kept, self._shares(), strict=True):
            summary.subtract(share)

    def after(self) -> None:
        if not self._kept:
            return
        for (_, _, _, summary), share in zip(self._kept, self._shares(), strict=True):
            summary.update(share)
        stamp = (
            _TABLE.update()
            .where(_TABLE.c.digest == sa.bindparam("kept_digest"))
            .values(generation=self._now, summary=sa.bindparam("kept_summary"))
        )
        self._connection.execute(
            stamp,
            [
                {"kept_digest": digest, "kept_summary": _text(summary)}
                for digest, _, _, summary in self._kept
            ],
        )

    def _shares(self) -> list[Summary]:
        """Each kept summary's share of the written rows, in `_kept`'s order."""
        shares: list[Summary] = [Counter() for _ in self._kept]
        for kind in _COLUMNS:
            of_kind = [n for n, (_, kept, _, _) in enumerate(self._kept) if kept == kind]
            if not of_kind:
                continue
            conditions = [self._kept[n][2] for n in of_kind]
            for written in self._written:
                counted = _shares_of_each(self._connection, conditions, written, kind)
                for n, share in zip(of_kind, counted, strict=True):
                    shares[n].update(share)
        return shares


def _rows_of(sites: list[str], jira_ids: Sequence[int]) -> list[sa.ColumnElement[bool]]:
    """Conditions that together name the rows of `jira_ids` (sorted, unique) in `sites`: a
    demo's or a sync's chunk (every id from the first to the last) is one scan of the key
    range (`dense_ids`)."""
    issues = schema.issues
    in_sites = issues.c.site.in_(sites)
    return [sa.and_(in_sites, named) for named in dense_ids.conditions(issues.c.jira_id, jira_ids)]


def _shares_of_each(
    connection: sa.Connection, conditions: Sequence[str], rows: sa.ColumnElement[bool], kind: str
) -> list[Summary]:
    """The summary of each of `conditions` (written SQL) over `rows`, in one query: a sum
    per condition, grouped by the kind's column."""
    column = _COLUMNS[kind]
    sums = [
        sa.func.sum(sa.case((sa.text(f"({condition})"), 1), else_=0)) for condition in conditions
    ]
    query = sa.select(column, *sums).where(rows).group_by(column)
    shares: list[Summary] = [Counter() for _ in conditions]
    for text, *issues in connection.execute(query):
        for share, n in zip(shares, issues, strict=True):
            if n:
                share[text or ""] += n
    return shares


def _shares(
    connection: sa.Connection, wheres: Iterable[sa.ColumnElement[bool]], kind: str
) -> Summary:
    column = _COLUMNS[kind]
    summary: Summary = Counter()
    for where in wheres:
        query = sa.select(column, sa.func.count()).where(where).group_by(column)
        for text, issues in connection.execute(query):
            summary[text or ""] += issues
    return summary


def _text(summary: Summary) -> str:
    return json.dumps(sorted((text, n) for text, n in summary.items() if n > 0))


def _summary(text: str) -> Summary:
    """The summary that `_text` stored as `text`."""
    return Counter(dict(json.loads(text)))


def _drop(connection: sa.Connection, digests: Sequence[str]) -> None:
    """Remove the kept summaries with these digests."""
    for chunk in id_chunks(digests):
        connection.execute(_TABLE.delete().where(_TABLE.c.digest.in_(chunk)))


def _digest(kind: str, condition: str) -> str:
    return hashlib.sha256(f"{kind}\n{condition}".encode()).hexdigest()


@contextmanager
def _without_waiting(connection: sa.Connection) -> Iterator[None]:
    """Inside this block the connection fails at once (OperationalError) instead of
    waiting for another transaction's write lock; PostgreSQL's takes the generation's
    row, which every write updates first."""
    if connection.dialect.name != "sqlite":
        row = sa.select(schema.store_generation.c.generation).with_for_update(nowait=True)
        connection.execute(row)
        yield
        return
    wait = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait)}")
