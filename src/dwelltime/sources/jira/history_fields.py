"""Which fields' histories the store holds of a mirrored issue, when not all of them.

A report asks Jira's bulkfetch only for the histories of the fields it measures
(`Selection.change_fields`); such an issue is marked with those fields, so a later report
or `sync` needing others fetches it again. Marks are written *before* the partial copy
and cleared only *after* a whole one: an interruption in between can only cause one
fetch too many, never a partial history taken for a whole one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

import sqlalchemy as sa

from dwelltime.sources.jira.tables import jira_history_fields
from dwelltime.sources.store.sql_lists import fetch_tuples, id_chunks, placeholder


def partial_fields(
    engine: sa.Engine, site: str, jira_ids: Sequence[int]
) -> dict[int, frozenset[str]]:
    """Jira id -> the only fields whose histories are held, for the marked issues."""
    table = jira_history_fields
    found: dict[int, frozenset[str]] = {}
    # A report's marks nearly all name the same fields: each distinct text is read once.
    read: dict[str, frozenset[str]] = {}
    with engine.connect() as connection:
        # Most sites have no partial copy at all: one probe spares the lookups per id.
        probe = sa.select(table.c.jira_id).where(table.c.site == site).limit(1)
        if connection.execute(probe).first() is None:
            return found
        mark = placeholder(connection)
        for chunk in id_chunks(jira_ids):
            sql = (
                f"SELECT jira_id, fields FROM {table.name} WHERE site = {mark} "
                f"AND jira_id IN ({', '.join(mark for _ in chunk)})"
            )
            for jira_id, text in fetch_tuples(connection, sql, (site, *chunk)):
                fields = read.get(text)
                if fields is None:
                    fields = read[text] = frozenset(json.loads(text))
                found[jira_id] = fields
    return found


def short_marks(engine: sa.Engine, site: str, needed: frozenset[str] | None) -> list[str]:
    """The site's distinct marks that do not hold every field of `needed` (None: any)."""
    table = jira_history_fields
    with engine.connect() as connection:
        texts = connection.execute(
            sa.select(table.c.fields).where(table.c.site == site).distinct()
        ).scalars()
        return [
            text for text in texts if needed is None or not needed <= frozenset(json.loads(text))
        ]


def lacking(
    engine: sa.Engine,
    site: str,
    jira_ids: Sequence[int],
    needed: frozenset[str] | None,
    short: Sequence[str] | None = None,
) -> set[int]:
    """Those of `jira_ids` held with the histories of only some fields, not all of
    `needed` (None: not all fields); `short`: `short_marks` of `needed`, when read before.

    A report's marks nearly all name the same fields: the site's distinct marks are read
    first, and only ids whose mark falls short are looked up, so an unchanged re-export
    of marked issues that hold what it needs reads no mark per issue."""
    table = jira_history_fields
    if short is None:
        short = short_marks(engine, site, needed)
    if not short:
        return set()
    with engine.connect() as connection:
        found: set[int] = set()
        for chunk in id_chunks(jira_ids):
            query = sa.select(table.c.jira_id).where(
                table.c.site == site, table.c.fields.in_(short), table.c.jira_id.in_(chunk)
            )
            found.update(connection.execute(query).scalars())
    return found


def mark_partial(
    engine: sa.Engine, site: str, jira_ids: Sequence[int], fields: Collection[str]
) -> None:
    """Record that only `fields`' histories will be held of these issues."""
    text = json.dumps(sorted(fields))
    with engine.begin() as connection:
        _delete(connection, site, jira_ids)
        if jira_ids:
            connection.execute(
                jira_history_fields.insert(),
                [{"site": site, "jira_id": jira_id, "fields": text} for jira_id in jira_ids],
            )


def mark_complete(engine: sa.Engine, site: str, jira_ids: Sequence[int]) -> None:
    """These issues now hold every field's history."""
    with engine.begin() as connection:
        _delete(connection, site, jira_ids)


def _delete(connection: sa.Connection, site: str, jira_ids: Sequence[int]) -> None:
    table = jira_history_fields
    for chunk in id_chunks(jira_ids):
        connection.execute(table.delete().where(table.c.site == site, table.c.jira_id.in_(chunk)))
