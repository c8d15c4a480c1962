"""The dwelltime error tree; no HTTP status codes here (api/errors.py maps them).

DwelltimeError
├── InvalidParameters      a request's parameters are wrong (all problems listed)
├── NotFound               an id names nothing the caller may see
├── Forbidden              the caller may see it but not change it (role or ownership)
├── ImportRejected         an input file cannot be imported (nothing of it stored)
├── SourceError            a source of issues failed (store, Jira site)
├── ReportTooLarge         a file format's hard limit would be exceeded
├── ExportAborted          a running export was asked to stop
└── ExportConflict         the export is not in a state that allows the operation
"""

from __future__ import annotations

from collections.abc import Sequence


class DwelltimeError(Exception):
    """Base of every error dwelltime raises on purpose."""

    def __init__(self, message: str, messages: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.messages: list[str] | None = list(messages) if messages is not None else None


class InvalidParameters(DwelltimeError):
    """Bad report parameters; `messages` names each bad parameter."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("Invalid parameters.", messages)


class NotFound(DwelltimeError):
    """The thing does not exist, or belongs to someone else: callers cannot tell which."""


class Forbidden(DwelltimeError):
    """The caller's role or ownership does not allow the change; `messages` says what would."""


class ImportRejected(DwelltimeError):
    """A file could not be imported; the message names the file and the place."""


class SourceError(DwelltimeError):
    """Reading issues failed for a reason outside the request."""


class ReportTooLarge(DwelltimeError):
    """The chosen output format cannot hold the report (e.g. XLS past 256 columns)."""


class ExportAborted(DwelltimeError):
    """Raised inside a running export when an abort was requested."""


class ExportConflict(DwelltimeError):
    """The operation does not fit the export's current status."""
