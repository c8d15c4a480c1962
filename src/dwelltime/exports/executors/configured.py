"""`create_executor`: the executor DWELLTIME_EXECUTOR names."""

from __future__ import annotations

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.exports.executors.base import Executor
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.executors.pool import ProcessPool


def create_executor(settings: Settings) -> Executor:
    """'local' (a process pool, the default), 'celery' (dwelltime worker processes) or
    'inline' (in the caller's thread)."""
    if settings.executor == "local":
        return ProcessPool(settings)
    if settings.executor == "celery":
        # Imported here: Celery and kombu cost imports a local deployment never needs.
        from dwelltime.exports.executors.celery import CeleryExecutor

        return CeleryExecutor(settings)
    if settings.executor == "inline":
        return InlineExecutor(settings)
    raise DwelltimeError(
        f"Unknown DWELLTIME_EXECUTOR {settings.executor!r}; use 'local', 'celery' or 'inline'."
    )
