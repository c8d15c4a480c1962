"""Alembic environment: runs migrations against the URL db.upgrade() passes in."""

from __future__ import annotations

from alembic import context

from dwelltime.db import create_db_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
engine = create_db_engine(url)
sqlite = url.startswith("sqlite")
with engine.connect() as connection:
    if sqlite:
        # A migration that rebuilds a table drops the old one, and with foreign keys on
        # SQLite would cascade that drop to every child row. Only effective outside a
        # transaction, hence before it begins; the check afterwards keeps the promise.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(connection=connection, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("a migration left rows pointing at missing issues")
engine.dispose()
