"""Database engines built from Settings, and schema upgrades through Alembic.

Every command that opens the store checks the schema first; that check reads
`alembic_version` and compares it with the head revisions read from the migration files,
so Alembic (a fifth of a small report's start-up) is imported only to upgrade.

SQLite is the embedded default: WAL mode so that API polls never wait on a worker's
write, foreign keys on, and a busy timeout: long for workers and commands, which may wait
for a lock, short for request paths, which answer 503 instead (api/errors.py).
PostgreSQL works through the same URL.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

_MIGRATIONS = Path(__file__).parent / "migrations"

# `revision = "0006"` and `down_revision = "0014"` (or a tuple, or None) of a migration file.
_REVISION = re.compile(r"^revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


#: How long a worker or a command waits for a lock another process holds.
BUSY_TIMEOUT_SECONDS = 30.0


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    return set_pragmas


def create_db_engine(url: str, busy_timeout_s: float = BUSY_TIMEOUT_SECONDS) -> sa.Engine:
    """An engine for `url`; SQLite files get their folder created and their pragmas set."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s})
        sa.event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        return engine
    # PostgreSQL: lock_timeout bounds the wait for a row or table lock the same way.
    options = f"-c lock_timeout={int(busy_timeout_s * 1000)}"
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def upgrade(url: str, revision: str = "head", *, engine: sa.Engine | None = None) -> None:
    """Bring the schema at `url` to `revision`, the newest by default (idempotent).

    Safe when several processes start at once on a new home: they migrate one after the
    other (a lock file beside a SQLite database; PostgreSQL takes an advisory lock in
    migrations/env.py), and each later one finds the schema current. A caller that already
    holds an `engine` on `url` passes it, so the check borrows one of its pooled connections
    instead of opening (on PostgreSQL: one more server connection) and disposing another.
    """
    if revision == "head" and is_current(engine if engine is not None else url):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _migration_lock(url):
        command.upgrade(config, revision)


def is_current(store: str | sa.Engine) -> bool:
    """Whether the schema of `store` (a URL or an open engine) is at the head revisions.

    False for a new database. An engine is used as it is (its connection goes back to its
    pool); a URL gets a short-lived engine of its own.
    """
    if isinstance(store, sa.Engine):
        with store.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return False
            stamped = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return set(stamped.scalars()) == head_revisions()
    engine = create_db_engine(store)
    try:
        return is_current(engine)
    finally:
        engine.dispose()


def head_revisions() -> set[str]:
    """The newest migrations: those no other migration names as its down revision.

    Read from the files, not through Alembic (tests/test_db.py keeps the two equal).
    """
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if (named := _REVISION.search(text)) is None:
            continue
        revisions.update(_QUOTED.findall(named[1]))
        if (down := _DOWN_REVISION.search(text)) is not None:
            followed.update(_QUOTED.findall(down[1]))
    return revisions - followed


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    database = sa.engine.make_url(url).database if url.startswith("sqlite") else None
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + ".migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
