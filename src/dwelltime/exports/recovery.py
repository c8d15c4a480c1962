"""Recovery of exports whose worker died: retried once, then Failed with a message.

A death is learnt from the executor (the worker's exit) or from a heartbeat older than
stale_after_seconds: of workers this process does not own (a previous serve, another
host), or of its own that are hung (the scheduler beats for its own that only wait to run).
"""

from __future__ import annotations

from typing import Any

import structlog

from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage
from dwelltime.exports.units import Unit, UnitKind, UnitStatus, UnitStore

#: Runs of one export before a dying worker fails it for good (the first try + one retry).
MAX_ATTEMPTS = 2

logger = structlog.get_logger("dwelltime.exports")


def recover(store: ExportStore, storage: FileStorage, record: ExportRecord, reason: str) -> None:
    """Settle a Running export whose worker is gone: Aborted, re-Queued or Failed.

    `record` is the snapshot the death was judged on, and the move is a compare-and-set on
    its heartbeat: a worker that was only starved and beats again meanwhile keeps its
    export, and its partial file is left alone (discarded only once the move won).
    """
    log = logger.bind(export_id=record.id, reason=reason, attempts=record.attempts)
    values: dict[str, Any]
    if record.abort_requested:
        target, values, event = ExportStatus.ABORTED, {}, "export_aborted_after_worker_death"
    elif record.attempts < MAX_ATTEMPTS:
        target, event = ExportStatus.QUEUED, "export_requeued_after_worker_death"
        values = {"heartbeat_ms": None, "dispatched_ms": None}
    else:
        message = f"{reason}; the export was tried {record.attempts} times and has been given up."
        target, values, event = (
            ExportStatus.FAILED,
            {"message": message},
            "export_failed_after_worker_death",
        )
    if not store.move(record.id, ExportStatus.RUNNING, target, judged=record, **values):
        log.info("export_recovery_lost_race")
        return
    storage.discard_pending(record.id)
    (log.error if target is ExportStatus.FAILED else log.warning)(event)


def stale_running(store: ExportStore, stale_after_seconds: float) -> list[ExportRecord]:
    """Running exports whose last heartbeat is older than `stale_after_seconds`.

    A split export has no job of its own once split: its units are watched instead.
    """
    cutoff = now_ms() - int(stale_after_seconds * 1000)
    return [
        record
        for record in store.with_status(ExportStatus.RUNNING)
        if record.chunks == 0 and (record.heartbeat_ms or record.started_ms or 0) < cutoff
    ]


def stale_units(units: UnitStore, stale_after_seconds: float) -> tuple[list[Unit], int]:
    """Running units of split exports silent for `stale_after_seconds`, and the cutoff."""
    cutoff = now_ms() - int(stale_after_seconds * 1000)
    running = units.with_status(UnitStatus.RUNNING)
    return [unit for unit in running if (unit.heartbeat_ms or 0) < cutoff], cutoff


def recover_unit(
    store: ExportStore, units: UnitStore, record: ExportRecord, unit: Unit, cutoff_ms: int
) -> None:
    """Settle a unit whose worker is gone (silent since `cutoff_ms`, checked again in the
    write): redone while its export goes on, or the export ends."""
    log = logger.bind(export_id=record.id, unit=unit.idx, attempts=unit.attempts)
    if record.abort_requested:
        store.move(record.id, ExportStatus.RUNNING, ExportStatus.ABORTED)
        log.info("export_aborted_after_worker_death")
    elif unit.attempts < MAX_ATTEMPTS:
        if unit.token is not None and units.release(
            unit.export_id, unit.idx, unit.token, cutoff_ms
        ):
            log.warning("unit_requeued_after_worker_death")
    else:
        message = (
            f"The worker running {_named(unit)} of the export stopped sending heartbeats; "
            f"that part was tried {unit.attempts} times and the export has been given up."
        )
        store.move(record.id, ExportStatus.RUNNING, ExportStatus.FAILED, message=message)
        log.error("export_failed_after_worker_death")


def _named(unit: Unit) -> str:
    """How a failure message names `unit` to the user."""
    if unit.kind is UnitKind.COLUMNS:
        return "the step fixing the columns"
    return f"part {unit.idx + 1}"
