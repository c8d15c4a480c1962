"""The one code path from parameters to a report file: `dwelltime report` and the export
jobs both call `run_report`.

Batches flow from the source through the engine into Arrow IPC files in a temporary folder
(so memory does not grow with the number of issues); the finished table is streamed from
those files into the writer. The folder is removed whatever happens.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl

from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.columns import planned_column_count
from dwelltime.engine.report import ReportEngine
from dwelltime.engine.staging import StagedBatch, Table
from dwelltime.engine.summary import Summary, summarize
from dwelltime.engine.table import ReportTable
from dwelltime.errors import ExportAborted, NotFound
from dwelltime.params.model import ReportParams, ViewFormat
from dwelltime.sources.base import IssueSource
from dwelltime.writers import check_columns, write_report

_TABLES: tuple[Table, ...] = ("issues", "cells", "names")


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
    """What a finished run produced: issues read, List rows and columns written, and the
    summary when it was asked for (None for reports without aggregates)."""

    issues: int
    rows: int
    columns: int
    summary: Summary | None = None


class IpcStaging:
    """Staged batches as Arrow IPC files in `folder`, one file per batch and table."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._count = 0

    def _path(self, index: int, table: Table) -> Path:
        return self._folder / f"{table}-{index:06d}.arrow"

    def add(self, staged: StagedBatch) -> None:
        for table in _TABLES:
            staged.table(table).write_ipc(self._path(self._count, table))
        self._count += 1

    def count(self) -> int:
        return self._count

    def load(self, index: int) -> StagedBatch:
        frames = {table: pl.read_ipc(self._path(index, table)) for table in _TABLES}
        return StagedBatch(**frames)

    def scan(self, table: Table) -> pl.LazyFrame:
        return pl.scan_ipc([self._path(index, table) for index in range(self._count)])


def resolve_calendar(source: IssueSource, calendar_id: str) -> CalendarSpec | None:
    """The business calendar of `calendar_id`, None for normalHours."""
    if calendar_id == NORMAL_HOURS_ID:
        return None
    calendar = source.calendar(calendar_id)
    if calendar is None:
        raise NotFound(f"No calendar with id {calendar_id!r}.")
    return calendar


def run_report(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    destination: BinaryIO,
    progress: Progress | None = None,
    *,
    batch_size: int = 2000,
    workdir: Path | None = None,
    with_summary: bool = False,
) -> ReportOutcome:
    """Compute the report of `params` on `source` at `now_ms` and write it to `destination`.

    `with_summary` also reads the finished table into the page's summary (an export's).

    Raises ReportTooLarge before reading any issue when the parameters already fix more
    columns than the output type holds, and ExportAborted when `progress` asks to stop.
    """
    planned = planned_column_count(params)
    if planned is not None:
        check_columns(params.output_type, planned)
    context = ReportContext(
        statuses=source.statuses(),
        calendar=resolve_calendar(source, params.calendar_id),
        now_ms=now_ms,
    )
    engine = ReportEngine(params, context)
    selection = params.selection(now_ms)
    total = source.count(selection)
    if progress is not None:
        progress.started(total)
    with tempfile.TemporaryDirectory(prefix="dwelltime-report-", dir=workdir) as folder:
        staging = IpcStaging(Path(folder))
        done = 0
        for batch in source.batches(selection, batch_size):
            _check_stop(progress, done, total)
            staging.add(engine.process(batch))
            done += batch.issues.height
            if progress is not None:
                progress.advanced(done)
        _check_stop(progress, done, total)
        table = engine.finish(staging)
        write_report(table, params.output_type, destination)
        summary = _summary(params, context, staging, table) if with_summary else None
    return ReportOutcome(
        issues=done,
        rows=table.listing.row_count,
        columns=len(table.listing.columns),
        summary=summary,
    )


def _summary(
    params: ReportParams, context: ReportContext, staging: IpcStaging, table: ReportTable
) -> Summary | None:
    """The summary in the report's unit; humanReadable cells are text, so the summary of
    such a report is read, in hours, from a table assembled again from the same staging."""
    if params.view_format is not ViewFormat.HUMAN_READABLE:
        return summarize(table, params.view_format.value)
    numeric = replace(params, view_format=ViewFormat.HOURS)
    return summarize(ReportEngine(numeric, context).finish(staging), numeric.view_format.value)


def _check_stop(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress.should_stop():
        raise ExportAborted(f"Report aborted after {done:,} of {total:,} issues.")
