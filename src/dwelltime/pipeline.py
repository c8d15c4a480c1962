"""The one code path from parameters to a report: `dwelltime report` and the export jobs
call `run_report` (a file), the synchronous endpoints `computed_report` (a table to answer
with, possibly of one page of the selection); both are the same computation.

Batches flow from the source through the engine into Arrow IPC files in a temporary folder
(so memory does not grow with the number of issues); the finished table is streamed from
those files into the writer. The folder is removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl

from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec
from dwelltime.domain.selection import Selection
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
#: Staging folders are named after the process that made them, so orphans can be told apart.
STAGING_PREFIX = "dwelltime-report-"


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


@dataclass(frozen=True)
class ComputedReport:
    """A finished computation whose staged data lives until its `computed_report` block
    ends: the table, and the same staged cells rendered in another view format."""

    table: ReportTable
    issues: int
    engine: ReportEngine
    staging: IpcStaging
    source: IssueSource
    selection: Selection

    def selected(self) -> int:
        """How many issues the whole selection holds, whatever window was computed."""
        return self.source.count(self.selection.whole())

    def rendered_as(self, view_format: ViewFormat) -> ReportTable:
        """The same report rendered in `view_format` (e.g. seconds, for raw milliseconds)."""
        params = replace(self.engine.params, view_format=view_format)
        return ReportEngine(params, self.engine.context).finish(self.staging)


@contextmanager
def computed_report(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    progress: Progress | None = None,
    *,
    batch_size: int = 2000,
    workdir: Path | None = None,
    start_index: int = 0,
    max_issues: int | None = None,
) -> Iterator[ComputedReport]:
    """Compute the report of `params` on `source` at `now_ms`; the table streams from staged
    files that are removed when the block ends.

    `start_index`/`max_issues` window the selection: only those issues are read and
    computed (a synchronous page). Raises ReportTooLarge before reading any issue when the
    parameters already fix more columns than the output type holds, and ExportAborted when
    `progress` asks to stop.
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
    selection = replace(params.selection(now_ms), start_index=start_index, max_issues=max_issues)
    total = source.count(selection)
    if progress is not None:
        progress.started(total)
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=workdir
    ) as folder:
        staging = IpcStaging(Path(folder))
        done = 0
        for batch in source.batches(selection, batch_size):
            _check_stop(progress, done, total)
            staging.add(engine.process(batch))
            done += batch.issues.height
            if progress is not None:
                progress.advanced(done)
        _check_stop(progress, done, total)
        yield ComputedReport(engine.finish(staging), done, engine, staging, source, selection)


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
    """Compute the report of `params` on `source` at `now_ms` and write it to `destination`
    as its outputType (see `computed_report` for what may be raised).

    `with_summary` also reads the finished table into the page's summary (an export's).
    """
    with computed_report(
        params, source, now_ms, progress, batch_size=batch_size, workdir=workdir
    ) as report:
        table = report.table
        write_report(table, params.output_type, destination)
        summary = _summary(report) if with_summary else None
    return ReportOutcome(
        issues=report.issues,
        rows=table.listing.row_count,
        columns=len(table.listing.columns),
        summary=summary,
    )


def _summary(report: ComputedReport) -> Summary | None:
    """The summary in the report's unit; humanReadable cells are text, so the summary of
    such a report is read, in hours, from the same staged cells rendered again."""
    view_format = report.engine.params.view_format
    if view_format is not ViewFormat.HUMAN_READABLE:
        return summarize(report.table, view_format.value)
    return summarize(report.rendered_as(ViewFormat.HOURS), ViewFormat.HOURS.value)


def sweep_staging(workdir: Path) -> list[Path]:
    """Remove the staging folders in `workdir` whose process is gone (killed with -9, say:
    nothing else would ever delete them); returns what was removed."""
    removed = []
    for folder in workdir.glob(f"{STAGING_PREFIX}*"):
        pid_text = folder.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if folder.is_dir() and not (pid_text.isdigit() and _is_running(int(pid_text))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


def _check_stop(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress.should_stop():
        raise ExportAborted(f"Report aborted after {done:,} of {total:,} issues.")
