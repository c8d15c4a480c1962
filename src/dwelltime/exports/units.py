"""Units of a fanned-out export: its chunks (issues [first, stop) of the selection), the
one merge step and, when the chunks write finished parts, the one step that fixes their
column plan, with every run of each recorded.

A unit is claimed by a compare-and-set that stamps a fresh token, and only the holder of
the token may record progress or the end, so two workers never run one unit at once: a
unit taken back from a silent worker gets a new token, and the old run can no longer
finish it. The merge can be claimed only once every chunk is done.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from dwelltime.db import metadata
from dwelltime.exports.records import exports, now_ms

units = sa.Table(
    "export_units",
    metadata,
    sa.Column("export_id", sa.String(36), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("first", sa.Integer, nullable=False),
    sa.Column("stop", sa.Integer, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("token", sa.String(36)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("completed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("batches", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total", sa.Integer),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("dispatched_ms", sa.BigInteger),
    sa.Column("heartbeat_ms", sa.BigInteger),
    sa.Index("ix_export_units_status", "status"),
)

unit_runs = sa.Table(
    "export_unit_runs",
    metadata,
    sa.Column("token", sa.String(36), primary_key=True),
    sa.Column("export_id", sa.String(36), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("worker", sa.String, nullable=False),
    sa.Column("started_ms", sa.BigInteger, nullable=False),
    sa.Column("beat_ms", sa.BigInteger, nullable=False),
    sa.Column("ended_ms", sa.BigInteger),
    sa.Column("outcome", sa.String),
    sa.Index("ix_export_unit_runs_unit", "export_id", "idx"),
)


class UnitKind(StrEnum):
    CHUNK = "chunk"  # stages the cells of issues [first, stop) into parts
    MERGE = "merge"  # reads every chunk's parts and writes the export's file
    # Fixes the column plan every chunk renders (`parts.store_plan`): a unit of its own so
    # that exactly one run computes it, whichever worker gets to it first (see `fanout`).
    COLUMNS = "columns"


class UnitStatus(StrEnum):
    QUEUED = "Queued"  # waiting to be sent to a worker (or sent and not yet claimed)
    RUNNING = "Running"  # claimed by the run holding `token`
    DONE = "Done"  # its parts (or, for the merge, the file) are in storage


@dataclass(frozen=True, slots=True)
class Unit:
    export_id: str
    idx: int
    kind: UnitKind
    owner: str
    first: int
    stop: int
    status: UnitStatus
    token: str | None
    attempts: int
    completed: int
    batches: int
    total: int | None
    created_ms: int
    dispatched_ms: int | None
    heartbeat_ms: int | None


@dataclass(frozen=True, slots=True)
class UnitRun:
    """One run of a unit; `ended_ms` is None when its worker died (or still runs)."""

    token: str
    export_id: str
    idx: int
    worker: str
    started_ms: int
    beat_ms: int
    ended_ms: int | None
    outcome: str | None


def _unit(row: sa.Row[Any]) -> Unit:
    values = dict(row._mapping)
    values["kind"] = UnitKind(values["kind"])
    values["status"] = UnitStatus(values["status"])
    return Unit(**values)


def worker_name() -> str:
    """host:pid of this process, recorded with each run for operators and tests."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _queued(export_id: str, idx: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        units.c.export_id == export_id,
        units.c.idx == idx,
        units.c.status == UnitStatus.QUEUED.value,
    )


def chunk_bounds(total: int, chunk_issues: int) -> list[tuple[int, int]]:
    """[first, stop) of each chunk: equal sizes (differing by at most one issue)."""
    count = max(1, -(-total // chunk_issues))
    return [(total * i // count, total * (i + 1) // count) for i in range(count)]


def _insert(
    connection: sa.Connection, export_id: str, owner: str, rows: list[dict[str, Any]]
) -> int:
    """Insert Queued units of `export_id`; returns their creation instant."""
    created = now_ms()
    connection.execute(
        units.insert(),
        [
            {
                **row,
                "export_id": export_id,
                "owner": owner,
                "status": UnitStatus.QUEUED.value,
                "created_ms": created,
            }
            for row in rows
        ],
    )
    return created


def columns_idx(chunks: int) -> int:
    """The index of the column plan's unit of an export split into `chunks` chunks."""
    return chunks + 1


class UnitStore:
    """The only code that reads or writes `export_units` and `export_unit_runs`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def plan_columns(self, export_id: str, owner: str, chunks: int) -> None:
        """Record the unit fixing the column plan of `export_id`, to be split into `chunks`
        chunks, ahead of them (forgetting the units of an earlier planner, whose worker
        died): another worker computes the plan while the planner resolves the chunks'
        windows, so it is ready when the first chunk has staged its issues."""
        row = {"idx": columns_idx(chunks), "kind": UnitKind.COLUMNS.value, "first": 0, "stop": 0}
        with self.engine.begin() as connection:
            connection.execute(units.delete().where(units.c.export_id == export_id))
            _insert(connection, export_id, owner, [row])

    def plan(self, export_id: str, owner: str, bounds: list[tuple[int, int]]) -> None:
        """Record the chunks and the merge of `export_id` (replacing an earlier planner's;
        the column plan's unit of `plan_columns` is kept)."""
        rows = [
            {"idx": i, "kind": UnitKind.CHUNK.value, "first": first, "stop": stop}
            for i, (first, stop) in enumerate(bounds)
        ]
        rows.append({"idx": len(bounds), "kind": UnitKind.MERGE.value, "first": 0, "stop": 0})
        with self.engine.begin() as connection:
            # A re-run after the planner's worker died finds the plan already there.
            connection.execute(
                units.delete().where(
                    units.c.export_id == export_id, units.c.kind != UnitKind.COLUMNS.value
                )
            )
            created = _insert(connection, export_id, owner, rows)
            # The total goes with the plan: chunks check it against their own count.
            connection.execute(
                exports.update()
                .where(exports.c.id == export_id)
                .values(chunks=len(bounds), total=bounds[-1][1], completed=0, heartbeat_ms=created)
            )

    def get(self, export_id: str, idx: int) -> Unit | None:
        query = units.select().where(units.c.export_id == export_id, units.c.idx == idx)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _unit(row) if row is not None else None

    def of_export(self, export_id: str) -> list[Unit]:
        query = units.select().where(units.c.export_id == export_id).order_by(units.c.idx)
        with self.engine.connect() as connection:
            return [_unit(row) for row in connection.execute(query)]

    def with_status(self, status: UnitStatus) -> list[Unit]:
        """Units in `status`, oldest export first, in index order."""
        query = (
            units.select()
            .where(units.c.status == status.value)
            .order_by(units.c.created_ms, units.c.export_id, units.c.idx)
        )
        with self.engine.connect() as connection:
            return [_unit(row) for row in connection.execute(query)]

    def exports_with_units(self) -> list[str]:
        query = sa.select(units.c.export_id).distinct()
        with self.engine.connect() as connection:
            return [export_id for (export_id,) in connection.execute(query)]

    def mark_dispatched(self, export_id: str, idx: int, resend_before_ms: int) -> bool:
        """Take the right to send a Queued unit (as `ExportStore.mark_dispatched`)."""
        statement = (
            units.update()
            .where(
                _queued(export_id, idx),
                sa.or_(units.c.dispatched_ms.is_(None), units.c.dispatched_ms < resend_before_ms),
            )
            .values(dispatched_ms=now_ms())
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def claim(self, export_id: str, idx: int, token: str) -> bool:
        """Queued → Running under `token`; the merge only once every chunk is Done."""
        now = now_ms()
        undone = (
            sa.select(sa.literal(1))
            .select_from(units.alias("chunk"))
            .where(
                sa.literal_column("chunk.export_id") == export_id,
                sa.literal_column("chunk.kind") == UnitKind.CHUNK.value,
                sa.literal_column("chunk.status") != UnitStatus.DONE.value,
            )
        )
        statement = (
            units.update()
            .where(
                _queued(export_id, idx),
                sa.or_(units.c.kind != UnitKind.MERGE.value, ~sa.exists(undone)),
            )
            .values(
                status=UnitStatus.RUNNING.value,
                token=token,
                attempts=units.c.attempts + 1,
                completed=0,
                heartbeat_ms=now,
            )
        )
        with self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            connection.execute(
                unit_runs.insert().values(
                    token=token,
                    export_id=export_id,
                    idx=idx,
                    worker=worker_name(),
                    started_ms=now,
                    beat_ms=now,
                )
            )
        return True

    def _held(self, export_id: str, idx: int, token: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            units.c.export_id == export_id,
            units.c.idx == idx,
            units.c.token == token,
            units.c.status == UnitStatus.RUNNING.value,
        )

    def beat(self, export_id: str, idx: int, token: str, completed: int | None = None) -> bool:
        """Heartbeat (and progress) of the run holding `token`; the export's progress is the
        sum of its chunks'. False when the run no longer holds the unit."""
        now = now_ms()
        values: dict[str, Any] = {"heartbeat_ms": now}
        if completed is not None:
            values["completed"] = completed
        with self.engine.begin() as connection:
            held = connection.execute(
                units.update().where(self._held(export_id, idx, token)).values(**values)
            )
            if held.rowcount != 1:
                return False
            connection.execute(
                unit_runs.update().where(unit_runs.c.token == token).values(beat_ms=now)
            )
            if completed is not None:
                done = (
                    sa.select(sa.func.coalesce(sa.func.sum(units.c.completed), 0))
                    .where(units.c.export_id == export_id, units.c.kind == UnitKind.CHUNK.value)
                    .scalar_subquery()
                )
                connection.execute(
                    exports.update()
                    .where(exports.c.id == export_id)
                    .values(completed=done, heartbeat_ms=now)
                )
        return True

    def finish(
        self, export_id: str, idx: int, token: str, *, batches: int = 0, total: int | None = None
    ) -> bool:
        """Running → Done for the holder of `token`; False if it lost the unit meanwhile."""
        with self.engine.begin() as connection:
            done = connection.execute(
                units.update()
                .where(self._held(export_id, idx, token))
                .values(status=UnitStatus.DONE.value, batches=batches, total=total)
            )
            won = done.rowcount == 1
            connection.execute(
                unit_runs.update()
                .where(unit_runs.c.token == token)
                .values(ended_ms=now_ms(), outcome="done" if won else "lost")
            )
        return won

    def end_run(self, token: str, outcome: str) -> None:
        """Record how a run that did not finish its unit ended (aborted, failed)."""
        statement = (
            unit_runs.update()
            .where(unit_runs.c.token == token)
            .values(ended_ms=now_ms(), outcome=outcome)
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def release(self, export_id: str, idx: int, token: str, silent_since_ms: int) -> bool:
        """Running → Queued if the run holding `token` has not beaten since
        `silent_since_ms` (its worker died): the unit is redone by whoever claims it next."""
        statement = (
            units.update()
            .where(
                self._held(export_id, idx, token),
                sa.func.coalesce(units.c.heartbeat_ms, 0) < silent_since_ms,
            )
            .values(status=UnitStatus.QUEUED.value, token=None, dispatched_ms=None)
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def runs(self, export_id: str) -> list[UnitRun]:
        """Every run of the export's units, by unit then start (operators, tests)."""
        query = (
            unit_runs.select()
            .where(unit_runs.c.export_id == export_id)
            .order_by(unit_runs.c.idx, unit_runs.c.started_ms)
        )
        with self.engine.connect() as connection:
            return [UnitRun(**dict(row._mapping)) for row in connection.execute(query)]

    def forget(self, export_id: str) -> None:
        """Drop the units of a finished export (their runs stay while the export does)."""
        with self.engine.begin() as connection:
            connection.execute(units.delete().where(units.c.export_id == export_id))

    def delete_runs(self, export_ids: list[str]) -> None:
        """Drop the run history of deleted exports (retention)."""
        if export_ids:
            with self.engine.begin() as connection:
                connection.execute(unit_runs.delete().where(unit_runs.c.export_id.in_(export_ids)))
