"""Retention: finished exports older than DWELLTIME_RETENTION lose their record and file."""

from __future__ import annotations

from datetime import timedelta

import structlog

from dwelltime.exports.records import ExportStore, now_ms
from dwelltime.exports.storage import FileStorage
from dwelltime.exports.units import UnitStore

logger = structlog.get_logger("dwelltime.exports")


def sweep(store: ExportStore, storage: FileStorage, retention: timedelta) -> int:
    """Delete expired finished exports (file first, so no record ever points at nothing)."""
    cutoff = now_ms() - int(retention.total_seconds() * 1000)
    expired = store.finished_before(cutoff)
    for record in expired:
        if record.file_key:
            storage.delete(record.file_key)
    store.delete(record.id for record in expired)
    UnitStore(store.engine).delete_runs([record.id for record in expired])
    if expired:
        logger.info("exports_expired", count=len(expired))
    return len(expired)
