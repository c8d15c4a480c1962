"""A full dump of the store's tables, to prove that an operation changed nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dwelltime.db import metadata


def dump_store(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, keyed by table name; all but the store
    generation, which counts writes rather than holding data (a write that changes no
    row still moves it, so that remembered selection facts are dropped)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.execute(sa.select(table))), key=repr
            )
            for table in metadata.sorted_tables
            if table.name != "store_generation"
        }
