"""InlineExecutor: runs each export to its end in the caller's thread (tests, `--wait`)."""

from __future__ import annotations

from collections.abc import Set

from dwelltime.config import Settings
from dwelltime.exports.executors.base import Finished, unit_key
from dwelltime.exports.fanout import run_unit
from dwelltime.exports.runner import run_export


class InlineExecutor:
    """Runs `run_export` synchronously inside `submit`; nothing is ever in flight."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._finished: list[Finished] = []

    def free_slots(self) -> int:
        return self._settings.workers

    def submit(self, export_id: str) -> None:
        run_export(export_id, self._settings)
        self._finished.append(Finished(export_id, 0))

    def submit_unit(self, export_id: str, idx: int) -> None:
        run_unit(export_id, idx, self._settings)
        self._finished.append(Finished(unit_key(export_id, idx), 0))

    def active(self) -> Set[str]:
        return frozenset()

    def reap(self) -> list[Finished]:
        finished, self._finished = self._finished, []
        return finished

    def waiting(self, key: str) -> bool:
        return False

    def cancel(self, export_id: str) -> bool:
        return False

    def shutdown(self) -> list[str]:
        return []
