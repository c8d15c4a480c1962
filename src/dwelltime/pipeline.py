"""The one code path from parameters to a report file: `dwelltime report` and the export
jobs both call `run_report`.

Batches flow from the source through the engine into Arrow IPC files in a temporary folder
(so memory does not grow with the number of issues); the finished table is streamed from
those files into the writer. The folder is removed whatever happens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl

from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.columns import planned_column_count
from dwelltime.engine.report import ReportEngine
from dwelltime.engine.staging import StagedBatch, Staging, Table
from dwelltime.engine.table import ReportTable
from dwelltime.errors import ExportAborted, NotFound
from dwelltime.params.model import ReportParams
from dwelltime.sources.base import IssueSource
from dwelltime.writers import check_columns, write_report

TABLES: tuple[Table, ...] = ("issues", "cells", "names")


class Progress(Protocol):
    """Who watches a report run: told the total, then the issues done; may ask to stop."""

    def started(self, total: int) -> None: ...

    def advanced(self, completed: int) -> None:
        """`completed`: issues processed so far (cumulative)."""
        ...

    def should_stop(self) -> bool:
        """Checked between batches; True aborts the run with ExportAborted."""
        ...


@dataclass(frozen=True)
class ReportOutcome:
    """What a finished run produced: issues read, List rows and columns written."""

    issues: int
    rows: int
    columns: int


class IpcStaging:
    """Staged batches as Arrow IPC files in `folder`, one file per batch and table.

    `count` says how many batches the folder already holds (a merge step that fetched the
    chunks' files into it).
    """

    def __init__(self, folder: Path, count: int = 0) -> None:
        self._folder = folder
        self._count = count

    def path(self, index: int, table: Table) -> Path:
        return self._folder / f"{table}-{index:06d}.arrow"

    def add(self, staged: StagedBatch) -> None:
        for table in TABLES:
            staged.table(table).write_ipc(self.path(self._count, table))
        self._count += 1

    def count(self) -> int:
        return self._count

    def load(self, index: int) -> StagedBatch:
        frames = {table: pl.read_ipc(self.path(index, table)) for table in TABLES}
        return StagedBatch(**frames)

    def scan(self, table: Table) -> pl.LazyFrame:
        return pl.scan_ipc([self.path(index, table) for index in range(self._count)])


def resolve_calendar(source: IssueSource, calendar_id: str) -> CalendarSpec | None:
    """The business calendar of `calendar_id`, None for normalHours."""
    if calendar_id == NORMAL_HOURS_ID:
        return None
    calendar = source.calendar(calendar_id)
    if calendar is None:
        raise NotFound(f"No calendar with id {calendar_id!r}.")
    return calendar


def prepare_engine(
    params: ReportParams, source: IssueSource, now_ms: int, first_seq: int = 0
) -> ReportEngine:
    """The engine of `params` on `source` at `now_ms`, its issues numbered from `first_seq`.

    Raises ReportTooLarge before reading any issue when the parameters already fix more
    columns than the output type holds.
    """
    planned = planned_column_count(params)
    if planned is not None:
        check_columns(params.output_type, planned)
    context = ReportContext(
        statuses=source.statuses(),
        calendar=resolve_calendar(source, params.calendar_id),
        now_ms=now_ms,
    )
    return ReportEngine(params, context, first_seq)


def stage_batches(
    engine: ReportEngine,
    batches: Iterable[IssueBatch],
    staging: Staging,
    progress: Progress | None,
    total: int,
) -> int:
    """Process and stage every batch, reporting progress; returns the issues processed.

    Raises ExportAborted when `progress` asks to stop (checked before each batch and once
    after the last).
    """
    done = 0
    for batch in batches:
        _check_stop(progress, done, total)
        staging.add(engine.process(batch))
        done += batch.issues.height
        if progress is not None:
            progress.advanced(done)
    _check_stop(progress, done, total)
    return done


def run_report(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    destination: BinaryIO,
    progress: Progress | None = None,
    *,
    batch_size: int = 2000,
    workdir: Path | None = None,
) -> ReportOutcome:
    """Compute the report of `params` on `source` at `now_ms` and write it to `destination`.

    Raises ReportTooLarge before reading any issue when the parameters already fix more
    columns than the output type holds, and ExportAborted when `progress` asks to stop.
    """
    engine = prepare_engine(params, source, now_ms)
    selection = params.selection(now_ms)
    total = source.count(selection)
    if progress is not None:
        progress.started(total)
    with tempfile.TemporaryDirectory(prefix="dwelltime-report-", dir=workdir) as folder:
        staging = IpcStaging(Path(folder))
        done = stage_batches(
            engine, source.batches(selection, batch_size), staging, progress, total
        )
        table = write_staged(engine, staging, params, destination)
    return ReportOutcome(
        issues=done, rows=table.listing.row_count, columns=len(table.listing.columns)
    )


def write_staged(
    engine: ReportEngine, staging: Staging, params: ReportParams, destination: BinaryIO
) -> ReportTable:
    """Assemble the table from everything staged and write it as the output type."""
    table = engine.finish(staging)
    write_report(table, params.output_type, destination)
    return table


def _check_stop(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress.should_stop():
        raise ExportAborted(f"Report aborted after {done:,} of {total:,} issues.")
