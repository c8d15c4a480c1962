"""Executors run `run_export` somewhere; they only schedule, never decide (that is the scheduler).

`inline` runs in the calling thread (tests, `--wait`); `pool` runs each export in its own
process from a bounded pool owned by `dwelltime serve`.
"""

from __future__ import annotations

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.exports.executors.base import Executor, Finished
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.executors.pool import ProcessPool

__all__ = ["Executor", "Finished", "InlineExecutor", "ProcessPool", "create_executor"]


def create_executor(settings: Settings) -> Executor:
    """The executor `settings.executor` names."""
    if settings.executor == "local":
        return ProcessPool(settings)
    if settings.executor == "inline":
        return InlineExecutor(settings)
    raise DwelltimeError(
        f"Unknown DWELLTIME_EXECUTOR {settings.executor!r}; use 'local' or 'inline'."
    )
