"""`run_unit`: the job body of one unit of a split export, run by any worker.

A chunk is `computed_report` over the window [first, stop) of the selection (the same
engine and staging as `run_report`, its issues numbered from the chunk's first position).
A CSV export whose columns are known ahead leaves finished parts (`parts`: its rows as
the file's bytes, its aggregates' inputs) and the merge only concatenates; any other
stores each staged file as a part, and the merge fetches every part in chunk order into
one staging folder and writes the file (and the summary) from it as `run_report` does.
The column plan of finished parts is a unit of its own, computed by exactly one run: the
first worker to claim it (a free one while the planner resolves the chunks' windows, else
the planner's right after); a chunk that needs it first claims it, or waits for it.
Either way a split export's file is byte for byte the file of an unsplit run. An export
split by an older version, which stored no column plan (or no chunk windows), is finished
the way that version would have: staged cells and a full merge (windows by position), so
an upgrade between its chunks fails nothing. Progress is the sum of the chunks'; an abort
flag stops every chunk at its next batch; a chunk whose worker died is taken back by the
scheduler and redone.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from typing import BinaryIO

import structlog

from dwelltime.config import Settings
from dwelltime.db import create_db_engine
from dwelltime.domain.selection import Selection
from dwelltime.errors import DwelltimeError, ExportAborted
from dwelltime.exports.parts import (
    STORE_CHANGED,
    ColumnPlan,
    finishes_in_chunks,
    load_chunk_ids,
    load_generation,
    load_plan,
    load_window_starts,
    merge_finished_chunks,
    store_finished_chunk,
    store_plan,
)
from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.runner import PROGRESS_INTERVAL_MS, Heartbeat, record_failure, record_success
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage, open_storage
from dwelltime.exports.units import Unit, UnitKind, UnitStatus, UnitStore, columns_idx
from dwelltime.params.model import ReportParams
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import (
    TABLES,
    IpcStaging,
    ReportOutcome,
    computed_report,
    prepare_engine,
    staging_folder,
    write_staged,
)
from dwelltime.sources.base import IssueSource
from dwelltime.sources.jira.param_context import JiraParamContext, param_context
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource

logger = structlog.get_logger("dwelltime.exports")

#: How often a chunk waiting for the column plan another run computes looks again.
COLUMNS_POLL_SECONDS = 0.1

COLUMNS_LOST = "The export failed: its column plan is missing from storage; start it again."


def part_key(export_id: str, chunk: int, batch: int, table: str) -> str:
    """Where one staged file of one chunk is kept until the merge."""
    return f"{export_id}/{chunk:05d}/{table}-{batch:06d}.arrow"


class ChunkProgress:
    """The pipeline's Progress for one chunk: its own count, the export's abort flag."""

    def __init__(self, store: ExportStore, units: UnitStore, unit: Unit, token: str) -> None:
        self._store = store
        self._units = units
        self._unit = unit
        self._token = token
        self._written_ms = 0
        self.completed = 0

    def started(self, total: int) -> None:
        """Nothing: the export's total was recorded when it was split."""

    def advanced(self, completed: int) -> None:
        self.completed = completed
        now = now_ms()
        if now - self._written_ms >= PROGRESS_INTERVAL_MS:
            self._written_ms = now
            self._units.beat(self._unit.export_id, self._unit.idx, self._token, completed)

    def should_stop(self) -> bool:
        record = self._store.get(self._unit.export_id)
        return record is None or record.status is not ExportStatus.RUNNING or record.abort_requested


def run_unit(
    export_id: str,
    idx: int | None,
    settings: Settings,
    on_running: Callable[[int | None], None] | None = None,
    *,
    then_next: bool = False,
) -> None:
    """Run unit `idx` of export `export_id`; a no-op unless the unit is Queued, its export
    Running (and, for the merge, every chunk Done). `on_running` as for `run_export`.

    With `then_next` (a Celery worker's task), this process then runs the export's next
    free unit (`idx` None: starts with it), and so on, while no other export waits: a
    worker that ends a chunk goes on at once instead of idling until serve's scheduler has
    seen the chunk done and sent the next one, and whoever ends the last chunk merges.
    """
    issue_store = IssueStore(create_db_engine(settings.resolved_database_url))
    try:
        store = ExportStore(issue_store.engine)
        units = UnitStore(issue_store.engine)
        current = idx if idx is not None else _next_free(store, units, export_id)
        while current is not None:
            ran = _run_one(export_id, current, store, units, issue_store, settings, on_running)
            current = _next_free(store, units, export_id) if ran and then_next else None
    finally:
        issue_store.engine.dispose()


def _run_one(
    export_id: str,
    idx: int,
    store: ExportStore,
    units: UnitStore,
    issue_store: IssueStore,
    settings: Settings,
    on_running: Callable[[int | None], None] | None,
) -> bool:
    """Claim and run unit `idx`; True when this process ran it."""
    record = store.get(export_id)
    unit = units.get(export_id, idx)
    if record is None or unit is None or record.status is not ExportStatus.RUNNING:
        return False
    token = str(uuid.uuid4())
    if not units.claim(export_id, idx, token):
        return False
    with structlog.contextvars.bound_contextvars(export_id=export_id, unit=idx):
        _run_claimed(record, unit, token, store, units, issue_store, settings, on_running)
    return True


def _next_free(store: ExportStore, units: UnitStore, export_id: str) -> int | None:
    """The unit of `export_id` this process may take next: the column plan's if Queued
    (every chunk waits for it in the end), a Queued chunk (one not yet sent to a worker
    first), or the merge once every chunk is Done; None when another export is waiting, so
    the scheduler's fair order decides what runs next, not this chain."""
    if store.any_with_status(ExportStatus.QUEUED):
        return None
    plan = units.of_export(export_id)
    for unit in plan:
        if unit.kind is UnitKind.COLUMNS and unit.status is UnitStatus.QUEUED:
            return unit.idx
    chunks = [unit for unit in plan if unit.kind is UnitKind.CHUNK]
    queued = [unit for unit in chunks if unit.status is UnitStatus.QUEUED]
    if queued:
        unsent = [unit for unit in queued if unit.dispatched_ms is None]
        return (unsent or queued)[0].idx
    if all(unit.status is UnitStatus.DONE for unit in chunks):
        merge = [unit for unit in plan if unit.kind is UnitKind.MERGE]
        if merge and merge[0].status is UnitStatus.QUEUED:
            return merge[0].idx
    return None


def _run_claimed(
    record: ExportRecord,
    unit: Unit,
    token: str,
    store: ExportStore,
    units: UnitStore,
    issue_store: IssueStore,
    settings: Settings,
    on_running: Callable[[int | None], None] | None,
) -> None:
    logger.info("unit_started", kind=unit.kind.value, first=unit.first, stop=unit.stop)
    context = param_context(issue_store, settings, record.token_id)
    progress = ChunkProgress(store, units, unit, token)
    beat = partial(units.beat, unit.export_id, unit.idx, token)
    try:
        with Heartbeat(beat, record.id, settings.heartbeat_seconds) as heartbeat:
            if on_running is not None:
                on_running(heartbeat.native_id)
            storage = open_storage(settings)  # inside: it can take seconds on a busy host
            params = parse_params(json.loads(record.params), context)
            if unit.kind is UnitKind.CHUNK:
                columns = partial(
                    _columns, record, params, context, storage, progress, issue_store, settings
                )
                batches = _stage_chunk(
                    record, unit, params, context, storage, progress, settings, columns
                )
                units.beat(unit.export_id, unit.idx, token, unit.stop - unit.first)
                units.finish(unit.export_id, unit.idx, token, batches=batches, total=record.total)
            elif unit.kind is UnitKind.COLUMNS:
                store_plan(
                    storage, record.id, params, context.source, record.now_ms, settings.staging_dir
                )
                units.finish(unit.export_id, unit.idx, token)
            else:
                size, outcome = _merge(
                    record, params, context, storage, units.of_export(record.id), settings
                )
                record_success(store, storage, record.id, size, record.total, outcome.summary)
                units.finish(unit.export_id, unit.idx, token)
    except ExportAborted:
        units.end_run(token, "aborted")
        if store.move(record.id, ExportStatus.RUNNING, ExportStatus.ABORTED):
            logger.info("export_aborted")
    except Exception as error:
        units.end_run(token, "failed")
        current = store.get(record.id)
        record_failure(store, record.id, error, current.completed if current else 0)
    else:
        logger.info("unit_done", kind=unit.kind.value)


def _stage_chunk(
    record: ExportRecord,
    unit: Unit,
    params: ReportParams,
    context: StoreParamContext | JiraParamContext,
    storage: FileStorage,
    progress: ChunkProgress,
    settings: Settings,
    columns: Callable[[], ColumnPlan],
) -> int:
    """Compute the chunk's issues and store its parts: finished ones where the export
    `finishes_in_chunks`, else the staged files; returns the batches staged. `columns`
    gives the column plan when none is stored yet (`_columns`)."""
    source = context.source
    whole = params.selection(record.now_ms)
    with ExitStack() as stack:
        window = None
        if isinstance(source, LocalSource):
            window = _resolve_window(source, whole, unit, storage)
            generation = load_generation(storage, record.id)
            if generation is not None:
                source.assume_count(whole, record.total, generation)
        # Counted by the database (no id of the rest is read) only if the store has moved
        # on since the planner counted: a COUNT per chunk was 0.51 of the 7.4 CPU seconds
        # of a 200,000-issue export split in 8.
        if source.count(whole) != record.total:
            raise DwelltimeError(STORE_CHANGED)
        chunk = stack.enter_context(
            computed_report(
                params,
                source,
                record.now_ms,
                progress,
                batch_size=settings.batch_size,
                workdir=settings.staging_dir,
                start_index=unit.first,
                max_issues=unit.stop - unit.first,
                after=None if window is None else window.after,
            )
        )
        plan = None
        if finishes_in_chunks(params):
            plan = load_plan(storage, record.id)
            if plan is None and window is not None:
                # Split by a version with finished parts, their plan not fixed yet.
                plan = columns()
        if plan is not None:
            finished = chunk.with_known_statuses(plan.statuses)
            folder = stack.enter_context(staging_folder(settings.staging_dir))
            store_finished_chunk(finished, storage, record.id, unit.idx, folder)
            return 0
        staging = chunk.staged_files()
        for batch in range(staging.count()):
            for table in TABLES:
                storage.put_part(
                    part_key(record.id, unit.idx, batch, table), staging.path(batch, table)
                )
        return staging.count()


def _resolve_window(
    source: LocalSource, whole: Selection, unit: Unit, storage: FileStorage
) -> Selection | None:
    """Resolve the chunk's window of `whole` as its planner fixed it, now (so the count
    of `whole` after it needs no id of the rest), and return it; None when the planner
    fixed none.

    Keyset windows (`store_window_starts`) are read from the index, the chunk's issues
    alone; its last one must be the row the next chunk starts after, or the selection
    changed since the planner. Pinned ids (`store_chunk_ids`) are taken as they are. An
    export split by a version that kept neither finds its window by position, as it did.
    """
    size = unit.stop - unit.first
    window = replace(whole, start_index=unit.first, max_issues=size)
    starts = load_window_starts(storage, unit.export_id)
    if starts is None:
        ids = load_chunk_ids(storage, unit.export_id, unit.idx)
        if ids is None:
            return None
        source.pin(window, ids)
        return window
    after = starts[unit.idx - 1] if unit.idx > 0 else None
    window = replace(window, after=after)
    last = starts[unit.idx] if unit.idx < len(starts) else None
    if len(source.ids(window)) != size or (last is not None and source.resume_key(window) != last):
        raise DwelltimeError(STORE_CHANGED)
    return window


def _columns(
    record: ExportRecord,
    params: ReportParams,
    context: StoreParamContext | JiraParamContext,
    storage: FileStorage,
    progress: ChunkProgress,
    issue_store: IssueStore,
    settings: Settings,
) -> ColumnPlan:
    """The column plan, for a chunk that found none stored: computed by the run that holds
    its unit, so this chunk claims and runs that unit if it is Queued (nobody has it, or its
    worker died and it was taken back), else waits for it, stopping on an abort. An export
    split before the plan had a unit (none recorded) has its chunks compute it, as then."""
    store = ExportStore(issue_store.engine)
    units = UnitStore(issue_store.engine)
    idx = columns_idx(record.chunks)
    while True:
        unit = units.get(record.id, idx)
        if unit is None:
            return store_plan(
                storage, record.id, params, context.source, record.now_ms, settings.staging_dir
            )
        if unit.status is UnitStatus.DONE:
            plan = load_plan(storage, record.id)
            if plan is None:
                raise DwelltimeError(COLUMNS_LOST)
            return plan
        if progress.should_stop():
            raise ExportAborted("The export stopped while its chunk waited for its columns.")
        if unit.status is UnitStatus.QUEUED and _run_one(
            record.id, idx, store, units, issue_store, settings, None
        ):
            continue
        time.sleep(COLUMNS_POLL_SECONDS)


def _merge(
    record: ExportRecord,
    params: ReportParams,
    context: StoreParamContext | JiraParamContext,
    storage: FileStorage,
    plan: list[Unit],
    settings: Settings,
) -> tuple[int, ReportOutcome]:
    """Write the file from every chunk's parts, in order (with its summary, as an unsplit
    export's); returns its size and the outcome."""
    chunks = [unit for unit in plan if unit.kind is UnitKind.CHUNK]
    if any(chunk.total != record.total for chunk in chunks):
        raise DwelltimeError(STORE_CHANGED)
    pending = storage.create(record.id)
    try:
        fixed = load_plan(storage, record.id) if finishes_in_chunks(params) else None
        if fixed is not None:
            outcome = merge_finished_chunks(
                params,
                context.source,
                record.now_ms,
                storage,
                record.id,
                [chunk.idx for chunk in chunks],
                pending.stream,
                plan=fixed,
                issues=record.total,
            )
        else:
            outcome = _merge_staged(
                record, params, context.source, storage, chunks, pending.stream, settings
            )
        return pending.commit(), outcome
    except BaseException:
        pending.discard()
        raise


def _merge_staged(
    record: ExportRecord,
    params: ReportParams,
    source: IssueSource,
    storage: FileStorage,
    chunks: list[Unit],
    destination: BinaryIO,
    settings: Settings,
) -> ReportOutcome:
    """Fetch every chunk's staged files in order into one staging folder and write the
    whole report from them, as `run_report` does."""
    engine = prepare_engine(params, source, record.now_ms)
    with staging_folder(settings.staging_dir) as folder:
        fetched = IpcStaging(folder)
        count = 0
        for chunk in chunks:
            for batch in range(chunk.batches):
                for table in TABLES:
                    key = part_key(record.id, chunk.idx, batch, table)
                    storage.get_part(key, fetched.path(count, table))
                count += 1
        return write_staged(
            engine,
            IpcStaging(folder, count),
            source,
            destination,
            issues=record.total,
            with_summary=True,
        )
