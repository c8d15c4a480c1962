"""Alembic environment: runs migrations against the URL db.upgrade() passes in."""

from __future__ import annotations

from alembic import context

from dwelltime.db import create_db_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
engine = create_db_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
