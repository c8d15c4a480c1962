"""ExportService: what the API and CLI may do with exports, ownership checked on every call.

No HTTP here: callers pass the user and raw parameters and get records or domain errors.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from dwelltime.config import Settings
from dwelltime.domain.caller import Caller
from dwelltime.exports.problems import (
    ALREADY_COMPLETED,
    NO_SUMMARY,
    NOT_COMPLETED,
    NOT_DOWNLOADABLE,
    ExportNotFound,
    QueueFull,
)
from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage, StoredFile
from dwelltime.params.parsing import effective_parameters, parse_params
from dwelltime.sources.jira.param_context import param_context
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.writers import content_type, report_file_name

#: How long DELETE waits for a running export to stop at a batch boundary before killing it.
ABORT_WAIT_SECONDS = 5.0
ABORT_POLL_SECONDS = 0.05

logger = structlog.get_logger("dwelltime.exports")


@dataclass(frozen=True, slots=True)
class Download:
    """A finished export's file and how to present it."""

    file: StoredFile
    file_name: str
    content_type: str
    #: Where the client may fetch the file itself (S3 presigned downloads), else None.
    redirect_url: str | None = None


class ExportService:
    """Start, read, list, abort and download exports on behalf of one user at a time.

    `on_queued` is called after an export is recorded (serve wakes its scheduler; tests run
    the job inline); `cancel` kills a worker that ignored an abort request.
    """

    def __init__(
        self,
        store: ExportStore,
        storage: FileStorage,
        settings: Settings,
        context: StoreParamContext,
        on_queued: Callable[[], None],
        cancel: Callable[[str], bool],
    ) -> None:
        self.store = store
        self.storage = storage
        self.settings = settings
        self.context = context
        self._on_queued = on_queued
        self._cancel = cancel

    def start(
        self, owner: str, raw: Mapping[str, Sequence[str]], token_id: str | None = None
    ) -> ExportRecord:
        """Validate `raw` fully, record the export with its `now`, queue it; reads no issues.

        `token_id` names the token it was started with: a token bound to a Jira site
        validates for that site (all of Jira's JQL) and the job reads it as that user. A
        `paramSetId` must name a set the owner may read: their own or a public one.
        """
        context = param_context(self.context.store, self.settings, token_id, Caller(owner))
        params = parse_params(raw, context)
        created = now_ms()
        record = ExportRecord(
            id=str(uuid.uuid4()),
            owner=owner,
            # Only report parameters are kept (never the token, never unknown junk), with a
            # parameter set resolved now: the job runs what was validated.
            params=json.dumps(effective_parameters(raw, context)),
            output_type=params.output_type.value,
            file_name=report_file_name(params, created),
            content_type=content_type(params.output_type),
            now_ms=created,
            created_ms=created,
            status=ExportStatus.QUEUED,
            token_id=token_id,
        )
        limit = self.settings.max_queued_per_user
        if not self.store.insert_if_room(record, limit):
            raise QueueFull(
                "Too many exports are waiting.",
                [
                    f"You already have {limit} queued exports (the limit); wait for one to "
                    "start or abort one."
                ],
            )
        logger.info("export_queued", export_id=record.id, owner=owner)
        self._on_queued()
        return record

    def get(self, owner: str, export_id: str) -> ExportRecord:
        """The owner's export; another user's is reported exactly like a missing one."""
        record = self.store.get(export_id)
        if record is None or record.owner != owner:
            raise ExportNotFound(export_id)
        return record

    def list_for_owner(
        self, owner: str, page_number: int, page_size: int
    ) -> tuple[list[ExportRecord], int]:
        return self.store.page_for_owner(owner, page_number, page_size)

    def abort(self, owner: str, export_id: str) -> ExportRecord:
        """Stop a Queued or Running export and return its final record (SPEC §2 DELETE)."""
        record = self.get(owner, export_id)
        message = f"Aborted by {owner}."
        if record.status is ExportStatus.QUEUED and self.store.move(
            export_id, ExportStatus.QUEUED, ExportStatus.ABORTED, message=message
        ):
            # A message already sent to a broker is revoked, so no worker even starts it.
            self._cancel(export_id)
            logger.info("export_aborted", export_id=export_id, by=owner)
            return self.get(owner, export_id)
        record = self.get(owner, export_id)
        if record.status is ExportStatus.RUNNING:
            self.store.request_abort(export_id, message)
            record = self._wait_until_stopped(owner, export_id)
        if record.status is ExportStatus.SUCCESSFUL:
            raise ExportNotFound(export_id, ALREADY_COMPLETED)
        return record

    def _wait_until_stopped(self, owner: str, export_id: str) -> ExportRecord:
        deadline = time.monotonic() + ABORT_WAIT_SECONDS
        while time.monotonic() < deadline:
            record = self.get(owner, export_id)
            if record.status is not ExportStatus.RUNNING:
                return record
            time.sleep(ABORT_POLL_SECONDS)
        # The job is inside one long step; the request must not hang, so stop it by force.
        self._cancel(export_id)
        self.storage.discard_pending(export_id)
        self.store.move(export_id, ExportStatus.RUNNING, ExportStatus.ABORTED)
        logger.warning("export_killed_after_abort_timeout", export_id=export_id)
        return self.get(owner, export_id)

    def _successful(self, owner: str, export_id: str) -> ExportRecord:
        """The owner's Successful export, or the 404 that says why it is not one."""
        record = self.get(owner, export_id)
        if record.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            raise ExportNotFound(export_id, NOT_COMPLETED)
        if record.status is not ExportStatus.SUCCESSFUL:
            raise ExportNotFound(
                export_id, NOT_DOWNLOADABLE, [record.message or record.status.value]
            )
        return record

    def summary(self, owner: str, export_id: str) -> dict[str, Any]:
        """The summary of a Successful export (averages, medians, per-issue totals)."""
        self._successful(owner, export_id)
        text = self.store.summary(export_id)
        if text is None:
            raise ExportNotFound(export_id, NO_SUMMARY)
        summary: dict[str, Any] = json.loads(text)
        return summary

    def open_download(self, owner: str, export_id: str) -> Download:
        """The file of a Successful export, or the 404 that says why there is none."""
        record = self._successful(owner, export_id)
        stored = self.storage.stat(record.file_key or record.id)
        if stored is None:
            raise ExportNotFound(
                export_id, NOT_DOWNLOADABLE, ["The export's file is no longer in storage."]
            )
        url = self.storage.download_url(stored.key, record.file_name, record.content_type)
        return Download(stored, record.file_name, record.content_type, url)
