"""`run_export`: the one body of work every executor runs for an export.

It claims the Queued record (compare-and-set to Running), re-validates the stored
parameters, streams the report into a pending file, moves it into place and records the
outcome. Every failure ends in a recorded status with a message; none is lost.
"""

from __future__ import annotations

import errno
import json
import resource
import threading
import traceback
from collections.abc import Callable
from functools import partial

import structlog

from dwelltime.config import Settings
from dwelltime.db import create_db_engine
from dwelltime.engine.summary import Summary
from dwelltime.errors import DwelltimeError, ExportAborted
from dwelltime.exports.parts import (
    STORE_CHANGED,
    finishes_in_chunks,
    store_chunk_ids,
    store_window_starts,
)
from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage, PendingFile, open_storage
from dwelltime.exports.units import UnitStore, chunk_bounds
from dwelltime.params.model import ReportParams
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.jira.param_context import JiraParamContext, param_context
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext

#: Progress is written at most this often, so SQLite sees few short write transactions.
PROGRESS_INTERVAL_MS = 250

logger = structlog.get_logger("dwelltime.exports")


class JobProgress:
    """The pipeline's Progress: records total/completed and answers should_stop from the row."""

    def __init__(self, store: ExportStore, export_id: str) -> None:
        self._store = store
        self._export_id = export_id
        self._written_ms = 0
        self.completed = 0
        self.total = 0

    def started(self, total: int) -> None:
        self.total = total
        self._store.update_running(self._export_id, total=total, completed=0)

    def advanced(self, completed: int) -> None:
        self.completed = completed
        now = now_ms()
        if now - self._written_ms >= PROGRESS_INTERVAL_MS or completed >= self.total:
            self._written_ms = now
            self._store.update_running(self._export_id, completed=completed, heartbeat_ms=now)

    def should_stop(self) -> bool:
        return self._store.is_abort_requested(self._export_id)


class Heartbeat:
    """A thread proving the job is alive while a long step (e.g. writing XLSX) runs.

    `beat` records one heartbeat (of the export, or of one unit of a split export).
    """

    def __init__(self, beat: Callable[[], object], export_id: str, interval_s: float) -> None:
        self._beat_once = beat
        self._export_id = export_id
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    @property
    def native_id(self) -> int | None:
        """The beating thread's OS id, so an executor can keep it at normal priority."""
        return self._thread.native_id

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._beat_once()
            except Exception:  # a missed beat is retried; the job itself must go on
                logger.warning("heartbeat_failed", export_id=self._export_id, exc_info=True)


def write_failure_message(error: OSError) -> str:
    """A user-facing reason for a failed file write (full disk named as such)."""
    if error.errno == errno.ENOSPC:
        return "The export failed: the disk holding export files is full."
    reason = error.strerror or str(error)
    return f"The export failed while writing its file: {reason}."


def run_export(
    export_id: str, settings: Settings, on_running: Callable[[int | None], None] | None = None
) -> bool:
    """Run export `export_id` to its end; a no-op unless it is Queued. True when it was
    split instead (its units are queued).

    `on_running` is called once the heartbeat beats, before any work, with the heartbeat
    thread's OS id: the local pool lowers every other thread's CPU priority there.
    """
    # The schema is already current (serve upgraded it); skipping Alembic saves each job ~0.2 s.
    issue_store = IssueStore(create_db_engine(settings.resolved_database_url))
    try:
        store = ExportStore(issue_store.engine)
        record = store.get(export_id)
        if record is None or record.status is not ExportStatus.QUEUED:
            return False
        started = now_ms()
        claimed = store.claim(
            export_id,
            record.owner,
            settings.max_running_per_user,
            started_ms=started,
            heartbeat_ms=started,
            attempts=record.attempts + 1,
            completed=0,
            total=0,
        )
        if not claimed:
            return False
        with structlog.contextvars.bound_contextvars(export_id=export_id):
            context = param_context(issue_store, settings, record.token_id)
            return _run_claimed(record, store, context, settings, on_running)
    finally:
        issue_store.engine.dispose()


def _run_claimed(
    record: ExportRecord,
    store: ExportStore,
    context: StoreParamContext | JiraParamContext,
    settings: Settings,
    on_running: Callable[[int | None], None] | None,
) -> bool:
    logger.info("export_started", owner=record.owner, attempt=record.attempts + 1)
    progress = JobProgress(store, record.id)
    pending: PendingFile | None = None
    try:
        beat = partial(_beat_export, store, record.id)
        # The heartbeat starts first: opening S3 storage alone can take seconds on a busy host.
        with Heartbeat(beat, record.id, settings.heartbeat_seconds) as heartbeat:
            if on_running is not None:
                on_running(heartbeat.native_id)
            storage = open_storage(settings)
            params = parse_params(json.loads(record.params), context)
            if _fan_out(record, store, storage, context, params, settings):
                logger.info("export_split")
                return True
            if isinstance(context, JiraParamContext):
                # Jira's approximate-count gives the record a total at once; the exact
                # count of the listing replaces it when the listing is done.
                context.source.on_estimate = progress.started
            pending = storage.create(record.id)
            # run_report stages in a folder of its own under the home, removed whatever happens.
            outcome = run_report(
                params,
                context.source,
                record.now_ms,
                pending.stream,
                progress,
                batch_size=settings.batch_size,
                with_summary=True,
                workdir=settings.staging_dir,
            )
            size = pending.commit()
    except ExportAborted:
        _discard(pending)
        store.move(
            record.id, ExportStatus.RUNNING, ExportStatus.ABORTED, completed=progress.completed
        )
        logger.info("export_aborted", completed=progress.completed, total=progress.total)
        return False
    except Exception as error:
        _discard(pending)
        record_failure(store, record.id, error, progress.completed)
        return False
    record_success(store, storage, record.id, size, progress.completed, outcome.summary)
    return False


def _beat_export(store: ExportStore, export_id: str) -> None:
    store.update_running(export_id, heartbeat_ms=now_ms())


def _fan_out(
    record: ExportRecord,
    store: ExportStore,
    storage: FileStorage,
    context: StoreParamContext | JiraParamContext,
    params: ReportParams,
    settings: Settings,
) -> bool:
    """Split an export over `settings.split_above` issues into chunks and a merge step
    (units the scheduler dispatches); True when it was split and this job is done. Where
    the chunks will write finished parts, fixing their column plan is a unit too,
    recorded first: a free worker computes it while this one resolves the chunks'
    windows (else this worker takes it next).

    Only exports of the local store are split: a Jira site is listed again by every run
    over it, so its chunks would multiply the site's requests; it runs whole.
    """
    chunk_issues = settings.split_above
    if chunk_issues is None or not isinstance(context, StoreParamContext):
        return False
    source = context.source
    selection = params.selection(record.now_ms)
    # Read before the count and the windows: a write in between makes them newer than it,
    # never older.
    generation = source.generation()
    total = source.whole_count(selection)
    if total <= chunk_issues:
        return False
    bounds = chunk_bounds(total, chunk_issues)
    units = UnitStore(store.engine)
    if finishes_in_chunks(params):
        units.plan_columns(record.id, record.owner, len(bounds))
    starts = source.window_starts(selection, [first for first, _ in bounds[1:]])
    if starts is None:
        ids = source.ids(selection)
        if len(ids) != total:
            raise DwelltimeError(STORE_CHANGED)
        store_chunk_ids(storage, record.id, bounds, ids, generation, settings.staging_dir)
    elif len(starts) != len(bounds) - 1:
        raise DwelltimeError(STORE_CHANGED)
    else:
        store_window_starts(storage, record.id, starts, generation, settings.staging_dir)
    units.plan(record.id, record.owner, bounds)
    return True


def record_success(
    store: ExportStore,
    storage: FileStorage,
    export_id: str,
    size: int,
    completed: int,
    summary: Summary | None = None,
) -> None:
    """Running → Successful with the committed file and its summary.

    One winner between finishing and an abort requested meanwhile: Successful only if
    nobody asked to abort, so DELETE and the record always tell the same story. Otherwise
    the file is deleted (an abort, or recovery took the record), so it never outlives its
    record.
    """
    if store.move(
        export_id,
        ExportStatus.RUNNING,
        ExportStatus.SUCCESSFUL,
        unless_abort_requested=True,
        file_key=export_id,
        size=size,
        completed=completed,
        heartbeat_ms=now_ms(),
        summary=None if summary is None else json.dumps(summary),
    ):
        logger.info(
            "export_successful", size=size, completed=completed, peak_rss_mib=_peak_rss_mib()
        )
        return
    storage.delete(export_id)
    if store.move(export_id, ExportStatus.RUNNING, ExportStatus.ABORTED, completed=completed):
        logger.info("export_aborted", completed=completed)
    else:
        logger.warning("export_finished_after_losing_record")


def _os_error(error: BaseException) -> OSError | None:
    """The OSError behind `error`: writers wrap a full disk in errors of their own."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports KiB), for operators and bench/."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _discard(pending: PendingFile | None) -> None:
    if pending is not None:
        pending.discard()


def record_failure(store: ExportStore, export_id: str, error: Exception, completed: int) -> None:
    """Running → Failed with a user-facing message and the traceback as detail.

    The user-facing message never carries exception text, SQL or a stack trace: those go
    to the log and the record's operator detail only.
    """
    os_error = _os_error(error)
    if isinstance(error, DwelltimeError):
        message = " ".join([error.message, *(error.messages or [])])
    elif os_error is not None:
        message = write_failure_message(os_error)
    else:
        message = (
            f"The export failed unexpectedly; the server log has the details (export {export_id})."
        )
    detail = "".join(traceback.format_exception(error))
    store.move(
        export_id,
        ExportStatus.RUNNING,
        ExportStatus.FAILED,
        message=message,
        detail=detail,
        completed=completed,
    )
    logger.error("export_failed", message=message, exc_info=error)
