"""The export records table and ExportStore, the only code that reads or writes it.

Every status change is a compare-and-set UPDATE (`WHERE status = <expected>`), so a
concurrent abort and finish cannot both win; every transaction is one short statement so
API polls never wait on a worker (SQLite WAL).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dwelltime.db import metadata
from dwelltime.exports.status import ExportStatus, advance

exports = sa.Table(
    "exports",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("output_type", sa.String, nullable=False),
    sa.Column("file_name", sa.String, nullable=False),
    sa.Column("content_type", sa.String, nullable=False),
    sa.Column("now_ms", sa.BigInteger, nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("started_ms", sa.BigInteger),
    sa.Column("finished_ms", sa.BigInteger),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("completed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("file_key", sa.String),
    sa.Column("size", sa.BigInteger),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("heartbeat_ms", sa.BigInteger),
    sa.Column("abort_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    # The API token the export was started with: names its Jira binding, if any.
    sa.Column("token_id", sa.String(36)),
    sa.Column("summary", sa.Text),
    # When the celery executor last sent it to the broker (re-sent if still Queued long after).
    sa.Column("dispatched_ms", sa.BigInteger),
    # How many chunks a fanned-out export was split into (0: it runs as one job).
    sa.Column("chunks", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_exports_owner_created", "owner", "created_ms"),
    sa.Index("ix_exports_status", "status"),
)


#: The PostgreSQL advisory lock of the dispatch round (advisory locks are per database).
DISPATCH_LOCK = 0x6477_656C_6C74  # "dwellt"


def now_ms() -> int:
    """Wall-clock epoch milliseconds (the one clock of the job lifecycle)."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One row of `exports`; `params` is the raw parameters as JSON text."""

    id: str
    owner: str
    params: str
    output_type: str
    file_name: str
    content_type: str
    now_ms: int
    created_ms: int
    status: ExportStatus
    started_ms: int | None = None
    finished_ms: int | None = None
    completed: int = 0
    total: int = 0
    message: str | None = None
    detail: str | None = None
    file_key: str | None = None
    size: int | None = None
    attempts: int = 0
    heartbeat_ms: int | None = None
    abort_requested: bool = False
    dispatched_ms: int | None = None
    chunks: int = 0
    token_id: str | None = None


#: Every column but `summary`, which can be large and is read only by `ExportStore.summary`,
#: so status polls stay one small read.
_RECORD_COLUMNS = [column for column in exports.columns if column.name != "summary"]
_records = sa.select(*_RECORD_COLUMNS)


def _record(row: sa.Row[Any]) -> ExportRecord:
    values = dict(row._mapping)
    values["status"] = ExportStatus(values["status"])
    values["abort_requested"] = bool(values["abort_requested"])
    return ExportRecord(**values)


def _row_values(record: ExportRecord) -> dict[str, Any]:
    values = {column.name: getattr(record, column.name) for column in _RECORD_COLUMNS}
    values["status"] = record.status.value
    return values


class ExportStore:
    """Reads and compare-and-set writes of export records."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def insert(self, record: ExportRecord) -> None:
        values = _row_values(record)
        with self.engine.begin() as connection:
            connection.execute(exports.insert().values(**values))

    def insert_if_room(self, record: ExportRecord, max_queued: int) -> bool:
        """Insert a Queued `record` unless its owner already has `max_queued` waiting.

        Count and insert are one INSERT … SELECT, so concurrent starts cannot both slip
        under the limit: SQLite holds the write lock for the whole statement, and on
        PostgreSQL a per-owner advisory lock serialises the owner's starts.
        """
        values = _row_values(record)
        waiting = (
            sa.select(sa.func.count())
            .select_from(exports)
            .where(exports.c.owner == record.owner, exports.c.status == ExportStatus.QUEUED.value)
            .scalar_subquery()
        )
        row = sa.select(
            *(sa.literal(values[c.name], c.type).label(c.name) for c in _RECORD_COLUMNS)
        ).where(waiting < max_queued)
        # RETURNING, not rowcount: psycopg reports -1 for INSERT … SELECT.
        statement = (
            exports.insert()
            .from_select([c.name for c in _RECORD_COLUMNS], row)
            .returning(exports.c.id)
        )
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(record.owner)))
                )
            return connection.execute(statement).first() is not None

    def get(self, export_id: str) -> ExportRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(_records.where(exports.c.id == export_id)).first()
        return _record(row) if row is not None else None

    def summary(self, export_id: str) -> str | None:
        """The JSON summary a Successful export was stored with (engine/summary.py)."""
        query = sa.select(exports.c.summary).where(exports.c.id == export_id)
        with self.engine.connect() as connection:
            text: str | None = connection.scalar(query)
        return text

    def page_for_owner(
        self, owner: str, page_number: int, page_size: int
    ) -> tuple[list[ExportRecord], int]:
        """One page of `owner`'s exports, newest first, and how many they have in all."""
        query = (
            _records.where(exports.c.owner == owner)
            .order_by(exports.c.created_ms.desc(), exports.c.id.desc())
            .limit(page_size)
            .offset(page_number * page_size)
        )
        count = sa.select(sa.func.count()).select_from(exports).where(exports.c.owner == owner)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            total = connection.execute(count).scalar_one()
        return [_record(row) for row in rows], int(total)

    def count_by_status(self, status: ExportStatus, owner: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(exports)
        query = query.where(exports.c.status == status.value)
        if owner is not None:
            query = query.where(exports.c.owner == owner)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def counts(self) -> dict[ExportStatus, int]:
        """How many exports are in each status (for /metrics)."""
        query = sa.select(exports.c.status, sa.func.count()).group_by(exports.c.status)
        with self.engine.connect() as connection:
            found = {ExportStatus(status): int(n) for status, n in connection.execute(query)}
        return {status: found.get(status, 0) for status in ExportStatus}

    def durations(self) -> list[tuple[ExportStatus, int, int]]:
        """(status, run time ms, issues processed) of every finished export that ran (metrics)."""
        query = sa.select(
            exports.c.status, exports.c.finished_ms - exports.c.started_ms, exports.c.completed
        ).where(exports.c.started_ms.is_not(None), exports.c.finished_ms.is_not(None))
        with self.engine.connect() as connection:
            return [
                (ExportStatus(status), int(duration), int(completed))
                for status, duration, completed in connection.execute(query)
            ]

    def with_status(self, status: ExportStatus) -> list[ExportRecord]:
        """Every export in `status`, oldest first (the scheduler's and recovery's view)."""
        query = _records.where(exports.c.status == status.value).order_by(
            exports.c.created_ms, exports.c.id
        )
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def any_with_status(self, status: ExportStatus) -> bool:
        """Whether some export is in `status`: one index probe, no record read (a worker
        asks between two units whether anything else waits)."""
        query = sa.select(sa.exists().where(exports.c.status == status.value))
        with self.engine.connect() as connection:
            return bool(connection.execute(query).scalar())

    def move(
        self,
        export_id: str,
        expected: ExportStatus,
        target: ExportStatus,
        *,
        unless_abort_requested: bool = False,
        judged: ExportRecord | None = None,
        **values: Any,
    ) -> bool:
        """Change the status from `expected` to `target` (and set `values`) if nobody else did.

        Returns False when the record was no longer `expected`, when
        `unless_abort_requested` and an abort was requested, or when its heartbeat is no
        longer the one of the `judged` snapshot (a worker taken for dead beat again): the
        caller lost a race.
        """
        advance(expected, target)
        if target.is_finished:
            values.setdefault("finished_ms", now_ms())
        statement = (
            exports.update()
            .where(exports.c.id == export_id, exports.c.status == expected.value)
            .values(status=target.value, **values)
        )
        if unless_abort_requested:
            statement = statement.where(exports.c.abort_requested.is_(sa.false()))
        if judged is not None:
            statement = statement.where(
                exports.c.heartbeat_ms.is_not_distinct_from(judged.heartbeat_ms),
                exports.c.attempts == judged.attempts,
            )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def claim(self, export_id: str, owner: str, cap: int, **values: Any) -> bool:
        """Queued → Running (with `values`) unless `owner` already has `cap` exports running.

        Atomic across processes and machines, so workers taking jobs at the same instant
        cannot together exceed the cap: PostgreSQL serializes the claims of one owner with
        a transaction-level advisory lock, SQLite has one writer at a time anyway.
        """
        advance(ExportStatus.QUEUED, ExportStatus.RUNNING)
        others = exports.alias("others")
        running = (
            sa.select(sa.func.count())
            .select_from(others)
            .where(others.c.owner == owner, others.c.status == ExportStatus.RUNNING.value)
            .scalar_subquery()
        )
        statement = (
            exports.update()
            .where(
                exports.c.id == export_id,
                exports.c.status == ExportStatus.QUEUED.value,
                running < cap,
            )
            .values(status=ExportStatus.RUNNING.value, **values)
        )
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                lock = sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"dwelltime:{owner}"))
                connection.execute(sa.select(lock))
            return connection.execute(statement).rowcount == 1

    def update_running(self, export_id: str, **values: Any) -> bool:
        """Progress and heartbeat of a running export; a no-op once it left Running."""
        statement = (
            exports.update()
            .where(exports.c.id == export_id, exports.c.status == ExportStatus.RUNNING.value)
            .values(**values)
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def mark_dispatched(self, export_id: str, resend_before_ms: int) -> bool:
        """Take the right to hand a Queued export to the executor: True unless another
        scheduler (or this one) did so at or after `resend_before_ms`."""
        statement = (
            exports.update()
            .where(
                exports.c.id == export_id,
                exports.c.status == ExportStatus.QUEUED.value,
                sa.or_(
                    exports.c.dispatched_ms.is_(None), exports.c.dispatched_ms < resend_before_ms
                ),
            )
            .values(dispatched_ms=now_ms())
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    @contextmanager
    def dispatch_turn(self) -> Iterator[bool]:
        """Whether this scheduler may hand out jobs now. On PostgreSQL, one scheduler of
        all the API servers at a time (an advisory lock held for the round, skipped when
        another holds it): counting the free slots and marking the jobs that take them
        are never interleaved between servers, so together they never send more than
        DWELLTIME_WORKERS. Elsewhere (one server on one file) always True."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        with self.engine.connect() as connection:
            taken = sa.select(sa.func.pg_try_advisory_lock(DISPATCH_LOCK))
            turn = bool(connection.execute(taken).scalar())
            connection.commit()
            try:
                yield turn
            finally:
                if turn:
                    connection.execute(sa.select(sa.func.pg_advisory_unlock(DISPATCH_LOCK)))
                    connection.commit()

    def request_abort(self, export_id: str, message: str) -> bool:
        """Flag a running export so its runner stops at the next batch boundary."""
        return self.update_running(export_id, abort_requested=True, message=message)

    def is_abort_requested(self, export_id: str) -> bool:
        query = sa.select(exports.c.abort_requested).where(exports.c.id == export_id)
        with self.engine.connect() as connection:
            return bool(connection.execute(query).scalar())

    def finished_before(self, cutoff_ms: int) -> list[ExportRecord]:
        """Finished exports older than `cutoff_ms` (retention)."""
        query = _records.where(
            exports.c.status.in_([status.value for status in ExportStatus if status.is_finished]),
            sa.func.coalesce(exports.c.finished_ms, exports.c.created_ms) < cutoff_ms,
        )
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def delete(self, export_ids: Iterable[str]) -> None:
        ids: Sequence[str] = list(export_ids)
        if ids:
            with self.engine.begin() as connection:
                connection.execute(exports.delete().where(exports.c.id.in_(ids)))
