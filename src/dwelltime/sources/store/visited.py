"""The statuses each stored issue's history visits, kept in `issues.visited_statuses`, and
those of a whole selection read back from it: a synchronous page gets the whole report's
status columns (SPEC §8.3) from one DISTINCT over the selection's issue rows instead of
from computing every issue (or scanning every change item: 1.5 s on 200,000 issues).
`issues.visited_transitions` does the same for transitionCount's (from, to) columns.

A status is visited when an issue enters it by a change, starts in it (the `from` of a
change) or holds it now: exactly the visits the engine builds from whole histories whose
`from` names the previous status, as Jira's do. A transition is a pair of consecutive
visits in history order (`created`, then history id, then the items' order), the first
visit being the first change's `from`: the engine's `prev` and `value`. Names are looked
up only for statuses the catalog lacks (deleted ones), whose titles are the latest name
their histories give them.

An issue written whole gets its values from its own histories in memory (`visited_of`,
`transitions_of`); only issues whose changelog is merged in parts are re-read from their
stored change items (`refresh_visited`), as only the store then holds the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import TRANSITION_COLUMNS, VISITED_STATUS_COLUMNS
from dwelltime.domain.issues import STATUS_FIELD, History
from dwelltime.sources.store import schema
from dwelltime.sources.store.sql_lists import id_chunks

#: id, name, rank_ts, rank_h
_Row = tuple[str, str | None, int | None, int | None]
_SEPARATOR = ","
#: Between the two statuses of a transition in `visited_transitions`.
_ARROW = ">"
#: Change items beside their histories, whose time and author are theirs.
_ITEMS_WITH_HISTORIES = schema.change_items.join(
    schema.histories,
    sa.and_(
        schema.histories.c.issue_id == schema.change_items.c.issue_id,
        schema.histories.c.id == schema.change_items.c.history_id,
    ),
)


def refresh_visited(connection: sa.Connection, row_ids: Sequence[int]) -> None:
    """Recompute `visited_statuses` and `visited_transitions` of the issues `row_ids`
    (store row ids) from their stored change items and current status."""
    issues, items, histories = schema.issues, schema.change_items, schema.histories
    for chunk in id_chunks(sorted(set(row_ids))):
        seen: dict[int, set[str]] = {}
        moves: dict[int, list[tuple[str | None, str | None]]] = {}
        current = sa.select(issues.c.id, issues.c.status_id).where(issues.c.id.in_(chunk))
        for row_id, status in connection.execute(current):
            seen[row_id] = {status} if status else set()
            moves[row_id] = []
        changes = (
            sa.select(items.c.issue_id, items.c.from_value, items.c.to_value)
            .select_from(_ITEMS_WITH_HISTORIES)
            .where(items.c.field_id == STATUS_FIELD, items.c.issue_id.in_(chunk))
            .order_by(items.c.issue_id, histories.c.created_ms, items.c.history_id, items.c.seq)
        )
        for row_id, left, entered in connection.execute(changes):
            seen[row_id].update(value for value in (entered, left) if value)
            moves[row_id].append((left, entered))
        if seen:
            update = (
                sa.update(issues)
                .where(issues.c.id == sa.bindparam("row_id"))
                .values(
                    visited_statuses=sa.bindparam("seen"),
                    visited_transitions=sa.bindparam("moved"),
                )
            )
            connection.execute(
                update,
                [
                    {"row_id": row_id, "seen": _packed(ids), "moved": _transitions(moves[row_id])}
                    for row_id, ids in seen.items()
                ],
            )


def visited_of(status_id: str | None, histories: Iterable[History]) -> str:
    """`visited_statuses` of an issue written whole: what `refresh_visited` reads back
    once these histories are its only stored ones (a history repeated by id counts once,
    the last copy, as the writer stores it)."""
    seen = {status_id} if status_id else set()
    for history in _last_copies(histories):
        for item in history.items:
            if item.effective_field_id == STATUS_FIELD:
                seen.update(value for value in (item.to_value, item.from_value) if value)
    return _packed(seen)


def transitions_of(histories: Iterable[History]) -> str:
    """`visited_transitions` of an issue written whole, as `refresh_visited` reads it back
    (a history repeated by id counts once, the last copy)."""
    ordered = sorted(_last_copies(histories), key=lambda history: (history.created_ms, history.id))
    return _transitions(
        [
            (item.from_value, item.to_value)
            for history in ordered
            for item in history.items
            if item.effective_field_id == STATUS_FIELD
        ]
    )


def _last_copies(histories: Iterable[History]) -> Iterable[History]:
    """Each history once, its last copy by id: the one the writer stores."""
    return {history.id: history for history in histories}.values()


def _transitions(moves: Sequence[tuple[str | None, str | None]]) -> str:
    """The (from, to) pairs of consecutive visits: the first visit is the first move's
    `from`, each later one the previous move's `to` (what the engine's visits chain)."""
    pairs = set()
    previous = moves[0][0] if moves else None
    for _, entered in moves:
        if previous and entered:
            pairs.add(f"{previous}{_ARROW}{entered}")
        previous = entered
    return _packed(pairs)


def _packed(ids: set[str]) -> str:
    return _SEPARATOR + _SEPARATOR.join(sorted(ids)) + _SEPARATOR


def status_frame(
    connection: sa.Connection,
    where: sa.ColumnElement[bool],
    packed: Iterable[str | None],
    deleted: bool,
) -> pl.DataFrame:
    """Every status id the issues meeting `where` (`selection_where`) visit
    (`VISITED_STATUS_COLUMNS`), from the `visited_statuses` texts they hold (a selection
    summary's); with `deleted`, also those absent from the catalog, with their latest
    history names (a scan of the selection's changes: reports without deleted statuses
    skip it)."""
    ids = {status for text in packed if text for status in text.split(_SEPARATOR) if status}
    catalog = set(connection.execute(sa.select(schema.statuses.c.id)).scalars())
    rows: list[_Row] = [(status, None, None, None) for status in sorted(ids & catalog)]
    absent = sorted(ids - catalog)
    if deleted and absent:
        rows += _latest_names(connection, where, absent)
    return pl.DataFrame(rows, schema=VISITED_STATUS_COLUMNS, orient="row")


def _latest_names(
    connection: sa.Connection, where: sa.ColumnElement[bool], deleted: list[str]
) -> list[_Row]:
    """Each deleted status's names from both sides of the selection's changes, with the
    newest rank each name was given (the engine keeps the highest-ranked)."""
    issues, items, histories = schema.issues, schema.change_items, schema.histories
    selected = sa.select(issues.c.id).where(where).scalar_subquery()
    of_status = sa.and_(items.c.field_id == STATUS_FIELD, items.c.issue_id.in_(selected))
    rows: list[_Row] = []
    sides = ((items.c.to_value, items.c.to_string), (items.c.from_value, items.c.from_string))
    for value, text in sides:
        ranks = (sa.func.max(histories.c.created_ms), sa.func.max(items.c.history_id))
        query = (
            sa.select(value, text, *ranks)
            .select_from(_ITEMS_WITH_HISTORIES)
            .where(of_status, value.in_(deleted))
            .group_by(value, text)
        )
        rows += [(row[0], row[1], row[2], row[3]) for row in connection.execute(query)]
    return rows


def transition_frame(packed: Iterable[str | None]) -> pl.DataFrame:
    """Every (from, to) transition in these `visited_transitions` texts (a selection
    summary's), as `TRANSITION_COLUMNS`, deleted statuses included: the report's rules
    decide which have columns."""
    pairs = {
        tuple(pair.split(_ARROW, 1))
        for text in packed
        if text
        for pair in text.split(_SEPARATOR)
        if pair
    }
    return pl.DataFrame(sorted(pairs), schema=TRANSITION_COLUMNS, orient="row")
