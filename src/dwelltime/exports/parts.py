"""Finished parts: how a split CSV export whose columns are known before any issue is read
(`columns_fixed_ahead`) leaves its file to a merge that only concatenates.

The column plan (the statuses the whole selection visits) is looked up once, by a unit
of its own recorded just before the chunks (which start meanwhile), and stored with its
parts, so every chunk renders the whole report's columns. Each chunk then writes
its rows as the file's final bytes (no header), its group counts and its value cells as
numbers (for the aggregates and the summary's medians) and each issue's total (for the
summary's histogram). The merge writes the header, copies the rows part after part, and
computes the aggregates once from every chunk's cells: the file and the summary are an
unsplit run's, byte for byte; adding up partial sums instead would change their last
digits.

Workbooks and the reports whose columns only the issues' visits tell keep staging their
cells for a merge that assembles the whole report (`fanout`).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl
from numpy.typing import NDArray

from dwelltime.domain.issue_batch import VISITED_STATUS_COLUMNS
from dwelltime.engine.output.aggregates import AggregateInputs
from dwelltime.engine.output.column_shares import share_of
from dwelltime.engine.staging import MemoryStaging
from dwelltime.engine.summary import block_totals, summarize, value_width
from dwelltime.engine.table import ReportTable
from dwelltime.errors import DwelltimeError
from dwelltime.exports.storage import FileStorage, append_stream
from dwelltime.params.model import OutputType, ReportParams
from dwelltime.pipeline import (
    ComputedReport,
    ReportOutcome,
    column_plan,
    columns_fixed_ahead,
    engine_in,
    prepare_engine,
    staging_folder,
    summary_in_own_view,
    summary_view,
    write_teed_csv_rows,
)
from dwelltime.sources.base import IssueSource
from dwelltime.writers import write_report
from dwelltime.writers.blocks import sheet_blocks
from dwelltime.writers.csv import write_csv_header

#: The output types a merge can write from finished parts: the List's rows concatenate,
#: an aggregate table is a row per group.
CSV_OUTPUTS = frozenset(
    {
        OutputType.CSV,
        OutputType.CSV_AVERAGE,
        OutputType.CSV_SUM,
        OutputType.CSV_MEDIAN,
        OutputType.CSV_STANDARD_DEVIATION,
    }
)

STORE_CHANGED = (
    "The export failed: the issues it covers changed while its chunks ran "
    "(an import was running); start it again."
)
COLUMNS_CHANGED = (
    "The export failed: its parts disagree on the report's columns (the issues changed "
    "while its chunks ran); start it again."
)

_ROWS, _META, _GROUPS, _CELLS, _TOTALS = (
    "rows.csv",
    "meta.json",
    "groups.arrow",
    "cells.arrow",
    "totals.arrow",
)


def finishes_in_chunks(params: ReportParams) -> bool:
    """Whether a split export's chunks write finished parts (else they stage cells)."""
    return params.output_type in CSV_OUTPUTS and columns_fixed_ahead(params)


def _plan_key(export_id: str) -> str:
    return f"{export_id}/plan.json"


def _key(export_id: str, chunk: int, name: str) -> str:
    return f"{export_id}/{chunk:05d}/{name}"


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """What `store_plan` fixed: the statuses the whole selection visits (None when the
    report has no status columns)."""

    statuses: pl.DataFrame | None


def store_plan(
    storage: FileStorage,
    export_id: str,
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    workdir: Path | None,
) -> ColumnPlan:
    """Fix the export's column plan: the run holding its unit does, once the chunks are
    recorded (they need it only once their issues are staged); so do the chunks of an
    export split before that unit existed (the same statuses, the same bytes; the merge
    fails an export whose chunks' columns differ all the same)."""
    known = column_plan(params, source, now_ms)
    plan = {"statuses": None if known is None else known.rows()}
    with staging_folder(workdir) as folder:
        _put_json(storage, _plan_key(export_id), plan, folder)
    return ColumnPlan(known)


def _put_json(storage: FileStorage, key: str, value: object, folder: Path) -> None:
    path = folder / "part.json"
    path.write_text(json.dumps(value))
    storage.put_part(key, path)


def _get_json(storage: FileStorage, key: str) -> Any:
    """The value `_put_json` stored under `key`, read where storage keeps it; None when
    there is none."""
    stored = _get_bytes(storage, key)
    return None if stored is None else json.loads(stored)


def _get_bytes(storage: FileStorage, key: str) -> bytes | None:
    """Part `key`'s bytes, read where storage keeps it (no local copy); None when there is
    no such part (an older version stored none)."""
    try:
        with storage.open_part(key) as part:
            return part.read()
    except FileNotFoundError:
        return None


def _ids_key(export_id: str, chunk: int) -> str:
    return f"{export_id}/{chunk:05d}/ids.bin"


def _generation_key(export_id: str) -> str:
    return f"{export_id}/generation.json"


def _starts_key(export_id: str) -> str:
    return f"{export_id}/starts.json"


def store_chunk_ids(
    storage: FileStorage,
    export_id: str,
    bounds: list[tuple[int, int]],
    ids: Sequence[int],
    generation: int,
    workdir: Path | None,
) -> None:
    """Keep each chunk's window of the selection as the planner resolved it (8 bytes an
    issue), so a chunk reads its issues without resolving the whole selection again, and
    the store's `generation` they were resolved at (`load_generation`): for a selection
    with an ORDER BY, whose windows are no ranges of an index (else `store_window_starts`)."""
    with staging_folder(workdir) as folder:
        path = folder / "ids.bin"
        for chunk, (first, stop) in enumerate(bounds):
            path.write_bytes(array("q", ids[first:stop]).tobytes())
            storage.put_part(_ids_key(export_id, chunk), path)
        _put_json(storage, _generation_key(export_id), {"generation": generation}, folder)


def store_window_starts(
    storage: FileStorage,
    export_id: str,
    starts: Sequence[tuple[Any, ...]],
    generation: int,
    workdir: Path | None,
) -> None:
    """Keep the report-order key each chunk but the first starts after (`starts`, one
    per chunk from the second on), and the store's `generation` they were found at: each
    chunk reads its own window's ids from the index, in parallel, where the planner read
    every id of the selection before (0.7 of a second at 1,000,000 issues, on the
    critical path; it takes 0.1 s now)."""
    with staging_folder(workdir) as folder:
        _put_json(storage, _starts_key(export_id), [list(key) for key in starts], folder)
        _put_json(storage, _generation_key(export_id), {"generation": generation}, folder)


def load_window_starts(storage: FileStorage, export_id: str) -> list[tuple[Any, ...]] | None:
    """The keys `store_window_starts` kept; None for an export whose planner pinned ids
    (`store_chunk_ids`) or was of a version before either."""
    starts = _get_json(storage, _starts_key(export_id))
    return None if starts is None else [tuple(key) for key in starts]


def load_generation(storage: FileStorage, export_id: str) -> int | None:
    """The store generation the planner kept with the windows: while the store is still
    at it, the selection holds what the planner counted. None for an export split by a
    version that kept none (its chunks count the selection, as they did)."""
    kept = _get_json(storage, _generation_key(export_id))
    return None if kept is None else int(kept["generation"])


def load_chunk_ids(storage: FileStorage, export_id: str, chunk: int) -> array[int] | None:
    """The ids `store_chunk_ids` kept for chunk `chunk`; None for an export split by a
    version that kept none (the chunk then finds its window by position, as it did)."""
    stored = _get_bytes(storage, _ids_key(export_id, chunk))
    if stored is None:
        return None
    ids = array("q")
    ids.frombytes(stored)
    return ids


def load_plan(storage: FileStorage, export_id: str) -> ColumnPlan | None:
    """The column plan `store_plan` fixed; None for an export split by a version before
    finished parts (no plan stored): its chunks stage cells and its merge assembles them,
    so chunks run before and after an upgrade leave parts of one kind."""
    plan = _get_json(storage, _plan_key(export_id))
    if plan is None:
        return None
    statuses = plan["statuses"]
    if statuses is None:
        return ColumnPlan(None)
    return ColumnPlan(pl.DataFrame(statuses, schema=VISITED_STATUS_COLUMNS, orient="row"))


def _header(table: ReportTable) -> list[list[str | None]]:
    return [[column.title, column.kind.value, column.id] for column in table.listing.columns]


def store_finished_chunk(
    report: ComputedReport, storage: FileStorage, export_id: str, chunk: int, folder: Path
) -> None:
    """Store what chunk `chunk` leaves the merge (see the module's docstring); `folder`, the
    chunk's own, holds the files on their way."""
    params = report.engine.params
    table = report.table
    width = value_width(table)
    totals: list[NDArray[np.float64]] = [np.empty(0)]
    shares: list[int] = []
    names = [_META]
    teed = summary_in_own_view(params)
    if params.output_type is OutputType.CSV:
        with (folder / _ROWS).open("wb") as rows:
            totals.append(write_teed_csv_rows(table.listing, width if teed else 0, rows))
        names.append(_ROWS)
    inputs = report.engine.aggregate_inputs(report.staging)
    if inputs is not None:
        if not teed or params.output_type is not OutputType.CSV:
            summary_table = table if teed else report.rendered_as(summary_view(params))
            blocks = sheet_blocks(summary_table.listing)
            totals += (block_totals(block, width) for block in blocks if width)
        inputs.groups.write_ipc(folder / _GROUPS)
        # A file per share, as the chunk's statistics inputs come (`column_shares`), so
        # the merge takes each share of every chunk at once (`united_shares`). Unsorted:
        # the merge's statistics sort each segment's values on their own, and sorted runs
        # saved them less (0.16 s at 6 million cells) than the chunks' own sorts cost
        # (0.31 of 6.6 CPU s at 200,000 issues, 8 chunks).
        for cells in inputs.cells():
            if cells.height:
                shares.append(share_of(cells))
                cells.write_ipc(folder / _share_name(shares[-1]))
        pl.DataFrame({"total": np.concatenate(totals)}).write_ipc(folder / _TOTALS)
        names += [_GROUPS, _TOTALS, *map(_share_name, shares)]
    meta = {"rows": table.listing.row_count, "columns": _header(table), "shares": shares}
    (folder / _META).write_text(json.dumps(meta))
    for name in names:
        storage.put_part(_key(export_id, chunk, name), folder / name)


def _share_name(share: int) -> str:
    return f"cells-{share:02d}.arrow"


def _part_frame(storage: FileStorage, key: str) -> pl.DataFrame:
    with storage.open_part(key) as part:
        return pl.read_ipc(part.read())


def _stored_cells(storage: FileStorage, keys: list[str]) -> Iterator[pl.DataFrame]:
    """A chunk's cells as `store_finished_chunk` left them: a part per share, in share
    order (one part of every share if stored by an older version), each read when its
    share's statistics are computed."""
    for key in keys:
        yield _part_frame(storage, key)


def merge_finished_chunks(
    params: ReportParams,
    source: IssueSource,
    now_ms: int,
    storage: FileStorage,
    export_id: str,
    chunks: list[int],
    destination: BinaryIO,
    *,
    plan: ColumnPlan,
    issues: int,
) -> ReportOutcome:
    """Write the export's file from its chunks' finished parts into `destination` (the
    header, then each chunk's rows as stored), and compute its summary. The parts are
    read where storage keeps them, not copied to a folder first (0.14 of the merge's
    0.73 s under cProfile at 1,000,000 issues, and the copies' removal after it)."""
    engine = prepare_engine(params, source, now_ms, known_statuses=plan.statuses)
    metas = []
    parts = []
    for chunk in chunks:
        with storage.open_part(_key(export_id, chunk, _META)) as meta:
            metas.append(json.loads(meta.read()))
        if params.columns_by.is_aggregated:
            # An older version's chunk kept its cells in one part of every share.
            shares = metas[-1].get("shares")
            cells = [_CELLS] if shares is None else [_share_name(share) for share in shares]
            keys = [_key(export_id, chunk, name) for name in cells]
            groups = _part_frame(storage, _key(export_id, chunk, _GROUPS))
            inputs = AggregateInputs(groups, partial(_stored_cells, storage, keys))
            parts.append((inputs, _key(export_id, chunk, _TOTALS)))
    merged = None
    if parts:
        merged = AggregateInputs.merged([inputs for inputs, _ in parts], params.group_by_fields)
    table = engine.finish(MemoryStaging(), merged)
    if any(meta["columns"] != _header(table) for meta in metas):
        raise DwelltimeError(COLUMNS_CHANGED)
    rows = sum(int(meta["rows"]) for meta in metas)
    if params.output_type is OutputType.CSV:
        write_csv_header(table.listing.columns, destination)
        for chunk in chunks:
            with storage.open_part(_key(export_id, chunk, _ROWS)) as part:
                append_stream(part, destination)
    else:
        write_report(table, params.output_type, destination)
    summary = None
    if merged is not None:
        view = summary_view(params)
        summed = (
            table
            if view is params.view_format
            else engine_in(engine, view).finish(MemoryStaging(), merged)
        )
        totals = pl.concat([_part_frame(storage, key) for _, key in parts])["total"].to_numpy()
        summary = summarize(summed, view.value, totals=totals, issue_count=rows)
    return ReportOutcome(
        issues=issues, rows=rows, columns=len(table.listing.columns), summary=summary
    )
