"""Export errors that carry the export's id into the API's error envelope."""

from __future__ import annotations

from collections.abc import Sequence

from dwelltime.errors import DwelltimeError, NotFound

NOT_FOUND = "The export could not be found or you do not have permission to view it."
NOT_COMPLETED = "The export is not completed. It is still being processed."
NOT_DOWNLOADABLE = "The export failed or is aborted."
ALREADY_COMPLETED = "The export is completed."
NO_SUMMARY = "The export has no summary: date and expanded reports are not aggregated."


class ExportNotFound(NotFound):
    """A 404 about one export: missing, someone else's, not ready, failed or completed."""

    def __init__(
        self, export_id: str, message: str = NOT_FOUND, messages: Sequence[str] | None = None
    ) -> None:
        super().__init__(message, messages)
        self.export_id = export_id


class QueueFull(DwelltimeError):
    """The user already has max_queued_per_user exports waiting; worth a retry later."""

    retry_after_seconds = 10
