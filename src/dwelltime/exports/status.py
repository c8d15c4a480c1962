"""The export status enum and the one table of transitions every status change obeys."""

from __future__ import annotations

from enum import StrEnum

from dwelltime.errors import ExportConflict


class ExportStatus(StrEnum):
    """Where an export is in its life; the values are the wire strings of SPEC §2."""

    QUEUED = "Queued"  # recorded, waiting for a free worker slot
    RUNNING = "Running"  # a worker process owns it and sends heartbeats
    SUCCESSFUL = "Successful"  # the file is in storage and downloadable
    FAILED = "Failed"  # stopped by an error; `message` says why
    ABORTED = "Aborted"  # stopped on request; no file is kept

    @property
    def is_finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({ExportStatus.SUCCESSFUL, ExportStatus.FAILED, ExportStatus.ABORTED})

ALLOWED_TRANSITIONS: dict[ExportStatus, frozenset[ExportStatus]] = {
    ExportStatus.QUEUED: frozenset(
        # FAILED: a queued export whose parameters no longer resolve (e.g. deleted calendar).
        {ExportStatus.RUNNING, ExportStatus.ABORTED, ExportStatus.FAILED}
    ),
    ExportStatus.RUNNING: frozenset(
        # QUEUED: the worker died and the export is retried once.
        {ExportStatus.SUCCESSFUL, ExportStatus.FAILED, ExportStatus.ABORTED, ExportStatus.QUEUED}
    ),
    ExportStatus.SUCCESSFUL: frozenset(),
    ExportStatus.FAILED: frozenset(),
    ExportStatus.ABORTED: frozenset(),
}


class InvalidTransition(ExportConflict):
    """A status change the transition table forbids (a bug or a lost race)."""


def advance(current: ExportStatus, target: ExportStatus) -> ExportStatus:
    """Return `target` if `current` may move to it, else raise InvalidTransition."""
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(f"An export cannot go from {current.value} to {target.value}.")
    return target
