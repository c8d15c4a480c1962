"""Alembic environment: runs migrations against the URL db.upgrade() passes in."""

from __future__ import annotations

from alembic import context
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dwelltime.db import create_db_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
engine = create_db_engine(url)
with engine.connect() as connection:
    current = set(MigrationContext.configure(connection).get_current_heads())
    connection.commit()
    pending = current != set(ScriptDirectory.from_config(config).get_heads())
    rebuilding = url.startswith("sqlite") and pending
    if rebuilding:
        # A migration that rebuilds a table drops the old one, and with foreign keys on
        # SQLite would cascade that drop to every child row. Only effective outside a
        # transaction, hence before it begins; the check afterwards keeps the promise.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(connection=connection, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Processes starting together migrate one at a time; the version is read again
            # once the lock is held, so a later one finds nothing left to do.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(772003)")
        context.run_migrations()
        if rebuilding and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("a migration left rows pointing at missing issues")
engine.dispose()
