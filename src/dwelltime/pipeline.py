"""The one code path from parameters to a report: `dwelltime report` and the export jobs
call `run_report` (a file), the synchronous endpoints `computed_report` (a table to answer
with, possibly of one page of the selection); both are the same computation, and so are
the units of a split export (`exports.fanout`): a chunk is `computed_report` over a window
of the selection, given the whole report's columns (`column_plan`) where they are known
ahead, and the merge either copies the chunks' finished rows or runs `write_staged` over
every chunk's staged files fetched into one staging folder.

Batches flow from the source through the engine into Arrow IPC files in a temporary folder
(so memory does not grow with the number of issues); the finished table is streamed from
those files into the writer. The folder is removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import polars as pl
from numpy.typing import NDArray

from dwelltime.config import DEFAULT_BATCH_SIZE
from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.selection import Selection
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.columns import PLANNED_REPORTS, planned_column_count
from dwelltime.engine.report import ReportEngine
from dwelltime.engine.staging import MemoryStaging, StagedBatch, Staging, Table
from dwelltime.engine.summary import Summary, summarize, teed_totals, value_width
from dwelltime.engine.table import OpenVisit, ReportTable, Sheet
from dwelltime.errors import ExportAborted, NotFound
from dwelltime.params.model import OutputType, ReportParams, ReportType, ViewFormat
from dwelltime.sources.base import IssueSource, Unconfirmed
from dwelltime.writers import check_columns, write_report
from dwelltime.writers.blocks import sheet_blocks
from dwelltime.writers.csv import write_csv_header, write_csv_rows

#: The tables every staged batch has (a split export's parts); `current` is staged only by
#: the synchronous answers that show it.
TABLES: tuple[Table, ...] = ("issues", "cells", "names")
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
    """Staged batches as Arrow IPC files in `folder`, one file per batch and table.

    `count` says how many batches the folder already holds (a merge step that fetched the
    chunks' files into it).
    """

    def __init__(self, folder: Path, count: int = 0) -> None:
        self._folder = folder
        self._count = count

    @property
    def folder(self) -> Path:
        return self._folder

    def path(self, index: int, table: Table) -> Path:
        return self._folder / f"{table}-{index:06d}.arrow"

    def add(self, staged: StagedBatch) -> None:
        for table in TABLES:
            staged.table(table).write_ipc(self.path(self._count, table))
        if staged.current is not None:
            staged.current.write_ipc(self.path(self._count, "current"))
        self._count += 1

    def count(self) -> int:
        return self._count

    def load(self, index: int) -> StagedBatch:
        frames = {table: pl.read_ipc(self.path(index, table)) for table in TABLES}
        current = self.path(index, "current")
        return StagedBatch(**frames, current=pl.read_ipc(current) if current.exists() else None)

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


@dataclass(frozen=True)
class ComputedReport:
    """A finished computation whose staged data lives until its `computed_report` block
    ends: the table (assembled on first use: a chunk of a split export only keeps its
    staged files), and the same staged cells rendered in another view format."""

    issues: int
    engine: ReportEngine
    staging: Staging
    source: IssueSource
    selection: Selection

    def staged_files(self) -> IpcStaging:
        """The staged batches' files, which a chunk of a split export ships to its merge
        (a report computed `in_memory` has none)."""
        if not isinstance(self.staging, IpcStaging):
            raise TypeError("The report was staged in memory; it has no staged files.")
        return self.staging

    @cached_property
    def table(self) -> ReportTable:
        """The finished table, streamed from the staged files."""
        return self.engine.finish(self.staging)

    @cached_property
    def listing(self) -> Sheet:
        """The List sheet alone (a synchronous page's rows: no aggregates of the page)."""
        return self.engine.listing(self.staging)

    def selected(self) -> int:
        """How many issues the whole selection holds, whatever window was computed."""
        return self.source.count(self.selection.whole())

    def resume_key(self) -> tuple[Any, ...] | None:
        """The report-order key of the window's last issue, for the page after it."""
        return self.source.resume_key(self.selection)

    def rendered_as(self, view_format: ViewFormat) -> ReportTable:
        """The same report rendered in `view_format` (e.g. seconds, for raw milliseconds)."""
        return self.in_view(view_format).table

    def in_view(self, view_format: ViewFormat) -> ComputedReport:
        """The same staged report assembled in `view_format`."""
        return self._assembled_with(replace(self.engine.params, view_format=view_format))

    def showing(self, fields: tuple[str, ...]) -> ComputedReport:
        """The same staged report with `fields` as its field columns, any of the staged
        ones (`fields` and `groupByFields`): a JSON list row shows its group's values."""
        return self._assembled_with(replace(self.engine.params, fields=fields))

    def with_known_statuses(self, known_statuses: pl.DataFrame | None) -> ComputedReport:
        """The same staged cells assembled with `known_statuses` as the whole selection's
        statuses (`prepare_engine`'s): only assembly reads them, so a chunk of a split
        export stages its issues before its export's column plan is fixed."""
        engine = self.engine
        return replace(
            self,
            engine=ReportEngine(engine.params, engine.context, known_statuses=known_statuses),
        )

    def _assembled_with(self, params: ReportParams) -> ComputedReport:
        """The same staged cells assembled by `params` (its table built anew on first use);
        only what assembly reads may differ from the computation's parameters."""
        return replace(self, engine=assembling(self.engine, params))

    def counts(self) -> Sheet | None:
        """The List sheet with each value cell's count of visits (None: no such sheet)."""
        return self.engine.counts(self.staging)

    def current_states(self) -> Iterator[list[OpenVisit]]:
        """Per List row, the issue's open visits (staged when `open_visits` was asked)."""
        return self.engine.current_states(self.staging)


def engine_in(engine: ReportEngine, view_format: ViewFormat) -> ReportEngine:
    """`engine`'s report rendered in `view_format` instead (same columns)."""
    return assembling(engine, replace(engine.params, view_format=view_format))


def assembling(engine: ReportEngine, params: ReportParams) -> ReportEngine:
    """An engine assembling `engine`'s staged cells by `params`: only what assembly reads
    (view format, field columns) may differ from the computation's parameters."""
    return ReportEngine(
        params,
        engine.context,
        known_statuses=engine.known_statuses,
        known_transitions=engine.known_transitions,
        seen=engine.seen,
    )


def prepare_engine(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    first_seq: int = 0,
    *,
    open_visits: bool = False,
    whole_columns: bool = False,
    known_statuses: pl.DataFrame | None = None,
    known_transitions: pl.DataFrame | None = None,
) -> ReportEngine:
    """The engine of `params` on `source` at `now_ms`, its issues numbered from `first_seq`
    (a window's first position, so a chunk numbers its issues as the whole run would).
    `open_visits` stages each issue's open visit; `whole_columns` gives a window of the
    selection the whole selection's columns (`column_plan` and `transition_plan`, looked
    up now), and `known_statuses` and `known_transitions` those looked up before (a split
    export's, once for all its chunks).

    Raises ReportTooLarge before reading any issue when the parameters already fix more
    columns than the output type holds.
    """
    refuse_planned_columns(params)
    context = ReportContext(
        statuses=source.statuses(),
        calendar=resolve_calendar(source, params.calendar_id),
        now_ms=now_ms,
    )
    known, moves = known_statuses, known_transitions
    if known is None and whole_columns:
        known = column_plan(params, source, now_ms)
        moves = transition_plan(params, source, now_ms)
    return ReportEngine(
        params,
        context,
        first_seq,
        open_visits=open_visits,
        known_statuses=known,
        known_transitions=moves,
    )


def refuse_planned_columns(params: ReportParams) -> None:
    """Raise ReportTooLarge when the parameters already fix more columns than the output
    type holds: before the source is asked anything."""
    planned = planned_column_count(params)
    if planned is not None:
        check_columns(params.output_type, planned)


def column_plan(params: ReportParams, source: IssueSource, now_ms: int) -> pl.DataFrame | None:
    """The statuses the whole selection visits, when they name the report's columns (the
    source lists them without reading the issues): what gives a window of the selection
    (a page, a chunk of a split export) the whole report's columns, with `transition_plan`
    for transitionCount (whose titles they name). None when the report's columns are not
    known that way."""
    if not _columns_known_ahead(params):
        return None
    return source.visited_statuses(params.selection(now_ms), params.include_deleted_statuses)


def transition_plan(params: ReportParams, source: IssueSource, now_ms: int) -> pl.DataFrame | None:
    """transitionCount's columns: the (from, to) transitions the whole selection makes,
    listed by the source as `column_plan` lists statuses. None for other reports."""
    if params.columns_by is not ReportType.TRANSITION_COUNT or not _columns_known_ahead(params):
        return None
    return source.visited_transitions(params.selection(now_ms))


def columns_fixed_ahead(params: ReportParams) -> bool:
    """Whether a split export's columns are known before any issue is read: fixed by the
    parameters (groups, metrics), or status columns `column_plan` names. Those of the
    other reports (trimmed histories, assignees, pairs, periods, any field, chosen
    `statuses` that may be deleted ones) only the issues' visits tell; transitionCount's
    `transition_plan` gives pages (the export's plan carries statuses only, so a split
    transitionCount export still merges its chunks' staged cells)."""
    report = params.columns_by
    fixed = report in (ReportType.GROUP_DURATION, ReportType.DURATION_BETWEEN_STATUSES)
    return fixed or (report is not ReportType.TRANSITION_COUNT and _columns_known_ahead(params))


def _columns_known_ahead(params: ReportParams) -> bool:
    """Whether the source can name a report's columns before any issue is read: status or
    transition columns, not fixed by `statuses`, of whole histories (a trimmed history may
    leave statuses out, which only its visits tell)."""
    return (
        params.statuses is None
        and params.columns_by in PLANNED_REPORTS
        and params.trim_start_ms is None
        and params.trim_end_ms is None
    )


@contextmanager
def staging_folder(workdir: Path | None) -> Iterator[Path]:
    """A staging folder of this process under `workdir` (the home's staging folder; the
    system's temporary folder when None), removed when the block ends whatever happens;
    `sweep_staging` removes those of killed processes."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=workdir
    ) as folder:
        yield Path(folder)


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


@contextmanager
def computed_report(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    progress: Progress | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workdir: Path | None = None,
    start_index: int = 0,
    max_issues: int | None = None,
    open_visits: bool = False,
    whole_columns: bool = False,
    known_statuses: pl.DataFrame | None = None,
    known_transitions: pl.DataFrame | None = None,
    in_memory: bool = False,
    after: tuple[Any, ...] | None = None,
    ceiling: int | None = None,
) -> Iterator[ComputedReport]:
    """Compute the report of `params` on `source` at `now_ms`; the table streams from staged
    files that are removed when the block ends.

    `start_index`/`max_issues` window the selection: only those issues are read and
    computed (a synchronous page, a chunk of a split export), numbered from their position
    in the whole selection; with `after` the window starts after that report-order key
    instead, and `ceiling` bounds the issues a walk covers (`Selection`). Raises
    ReportTooLarge before reading any issue when the parameters already fix more columns
    than the output type holds, and ExportAborted when `progress` asks to stop.
    `open_visits`, `whole_columns`, `known_statuses` and `known_transitions` are
    `prepare_engine`'s. `in_memory` stages the batches in memory instead of files: for a
    synchronous answer's page, whose few issues are not worth writing, reading and
    removing files for (a third of a page's own work). The computation runs inside
    `source.computing(selection)`: a source whose batches turn out to come from a guess
    it has refuted (`Unconfirmed`) has the report computed again, once, from its
    confirmed answers (a new engine, count and staging; progress starts over).
    """
    selection = replace(
        params.selection(now_ms),
        start_index=start_index,
        max_issues=max_issues,
        after=after,
        ceiling=ceiling,
    )
    refuse_planned_columns(params)
    with ExitStack() as stack:
        stack.enter_context(source.computing(selection))
        refuted = False
        while True:
            engine = prepare_engine(
                params,
                source,
                now_ms,
                first_seq=start_index,
                open_visits=open_visits,
                whole_columns=whole_columns,
                known_statuses=known_statuses,
                known_transitions=known_transitions,
            )
            total = source.count(selection)
            if progress is not None:
                progress.started(total)
            attempt = stack.enter_context(ExitStack())
            staging: Staging = (
                MemoryStaging()
                if in_memory
                else IpcStaging(attempt.enter_context(staging_folder(workdir)))
            )
            try:
                done = stage_batches(
                    engine, source.batches(selection, batch_size), staging, progress, total
                )
                break
            except Unconfirmed:
                # Computed from a guess the source has now refuted: again, from what it
                # confirmed (once; a second refutation would be the source's fault).
                if refuted:
                    raise
                refuted = True
                attempt.close()  # the guess's staged files go
        yield ComputedReport(done, engine, staging, source, selection)


def run_report(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    destination: BinaryIO,
    progress: Progress | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
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
        return write_computed(report, destination, with_summary=with_summary)


def write_staged(
    engine: ReportEngine,
    staging: IpcStaging,
    source: IssueSource,
    destination: BinaryIO,
    *,
    issues: int,
    with_summary: bool = False,
) -> ReportOutcome:
    """Assemble the table from everything staged (e.g. every chunk's files, fetched by a
    split export's merge) and write it as `run_report` does."""
    selection = engine.params.selection(engine.context.now_ms)
    report = ComputedReport(issues, engine, staging, source, selection)
    return write_computed(report, destination, with_summary=with_summary)


def write_computed(
    report: ComputedReport, destination: BinaryIO, *, with_summary: bool = False
) -> ReportOutcome:
    """Write the computed table as its outputType, with its summary when asked.

    A List CSV whose summary is read in its own view format takes the histogram's totals
    from the rows as they are written (`teed_totals`), as a split export's chunks do:
    reading the List a second time for them cost 0.57 of an unsplit 200,000-issue
    export's 5.9 CPU seconds."""
    table = report.table
    params = report.engine.params
    summary = None
    if with_summary and params.output_type is OutputType.CSV and summary_in_own_view(params):
        write_csv_header(table.listing.columns, destination)
        totals = write_teed_csv_rows(table.listing, value_width(table), destination)
        summary = summarize(table, params.view_format.value, totals=totals)
    else:
        write_report(table, params.output_type, destination)
        summary = _summary(report) if with_summary else None
    return ReportOutcome(
        issues=report.issues,
        rows=table.listing.row_count,
        columns=len(table.listing.columns),
        summary=summary,
    )


def write_teed_csv_rows(listing: Sheet, width: int, destination: BinaryIO) -> NDArray[np.float64]:
    """Write `listing`'s rows as they follow its CSV header, and give the summary
    histogram's per-row totals taken on the way (`teed_totals`; none for `width` 0)."""
    totals: list[NDArray[np.float64]] = [np.empty(0)]
    blocks = teed_totals(sheet_blocks(listing), width, totals)
    write_csv_rows(blocks, len(listing.columns), destination)
    return np.concatenate(totals)


def summary_view(params: ReportParams) -> ViewFormat:
    """The view format a report's summary is read in: its own; humanReadable cells are
    text, so such a report's summary is read, in hours, from its cells rendered again."""
    if params.view_format is ViewFormat.HUMAN_READABLE:
        return ViewFormat.HOURS
    return params.view_format


def summary_in_own_view(params: ReportParams) -> bool:
    """Whether a report's summary reads the cells it shows (not them rendered again)."""
    return summary_view(params) is params.view_format


def _summary(report: ComputedReport) -> Summary | None:
    """The summary in the report's unit (`summary_view`)."""
    view_format = summary_view(report.engine.params)
    if summary_in_own_view(report.engine.params):
        return summarize(report.table, view_format.value)
    return summarize(report.rendered_as(view_format), view_format.value)


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
