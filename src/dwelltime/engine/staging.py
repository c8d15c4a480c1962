"""Staged report data: the long-form frames `ReportEngine.process` produces per batch, and
where they are kept until `ReportEngine.finish` (memory here; Arrow IPC files in the pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import polars as pl

Table = Literal["issues", "cells", "names", "current"]

#: Long-form cells: one row per (issue, column) of the List sheet. A column is the key
#: (`a`, `b`); `value` holds ms, counts or instants, `text` the text cells, `count` the
#: visits (or transitions) behind the value, where the report has such a notion (JSON
#: answers' `count`, SPEC §8.2).
CELL_SCHEMA: dict[str, type[pl.DataType]] = {
    "seq": pl.Int64,
    "a": pl.Utf8,
    "b": pl.Utf8,
    "value": pl.Float64,
    "text": pl.Utf8,
    "count": pl.Int32,
}

#: Each issue's open visit (SPEC §8.2 `currentState`), staged only when asked for: the
#: column key (`a`, `b`) it is a visit of, when it began and its calendar time so far.
CURRENT_SCHEMA: dict[str, type[pl.DataType]] = {
    "seq": pl.Int64,
    "a": pl.Utf8,
    "b": pl.Utf8,
    "entered": pl.Int64,
    "value": pl.Float64,
}

#: The expanded reports stage one row per visit or stay instead: `a` the status, or the
#: field with `b` its value.
VISIT_ROW_SCHEMA: dict[str, type[pl.DataType]] = {
    "seq": pl.Int64,
    "a": pl.Utf8,
    "b": pl.Utf8,
    "entered": pl.Int64,
    "left": pl.Int64,
    "value": pl.Float64,
    "text": pl.Utf8,
}

#: Names seen in the data, ranked so the latest one wins (column titles).
NAME_SCHEMA: dict[str, type[pl.DataType]] = {
    "kind": pl.Utf8,
    "id": pl.Utf8,
    "name": pl.Utf8,
    "rank_ts": pl.Int64,
    "rank_h": pl.Int64,
}


@dataclass(frozen=True, slots=True)
class StagedBatch:
    """One batch's contribution: its issues (seq, key, field values), cells and names, and
    the open visits when the report stages them (`current`; None for exports)."""

    issues: pl.DataFrame
    cells: pl.DataFrame
    names: pl.DataFrame
    current: pl.DataFrame | None = None

    def table(self, table: Table) -> pl.DataFrame:
        frame: pl.DataFrame | None = getattr(self, table)
        if frame is None:
            return pl.DataFrame(schema=CURRENT_SCHEMA)
        return frame


def collected(query: pl.LazyFrame, staging: Staging) -> pl.DataFrame:
    """`query` over `staging`'s scans, streamed from its files, or at once when it is held
    in memory (a page's few rows: the streaming engine's set-up was a tenth of a page's
    assembly)."""
    return query.collect(engine="streaming" if staging.folder is not None else "in-memory")


class Staging(Protocol):
    """Where staged batches wait for `finish`; batches are kept in the order added."""

    def add(self, staged: StagedBatch) -> None: ...

    def count(self) -> int:
        """How many batches were added."""
        ...

    def load(self, index: int) -> StagedBatch:
        """One batch, read afresh (rows are streamed batch by batch)."""
        ...

    def scan(self, table: Table) -> pl.LazyFrame:
        """Every batch's `table` as one lazy frame (only called when count() > 0)."""
        ...

    @property
    def folder(self) -> Path | None:
        """The folder the batches wait in, where what is derived from them may wait too
        (removed with it); None when they are held in memory."""
        ...


class MemoryStaging:
    """Staging in memory: tests and small reports (`compute_report`)."""

    def __init__(self) -> None:
        self._batches: list[StagedBatch] = []

    def add(self, staged: StagedBatch) -> None:
        self._batches.append(staged)

    def count(self) -> int:
        return len(self._batches)

    def load(self, index: int) -> StagedBatch:
        return self._batches[index]

    def scan(self, table: Table) -> pl.LazyFrame:
        return pl.concat([staged.table(table) for staged in self._batches]).lazy()

    @property
    def folder(self) -> Path | None:
        return None
