"""The aggregates' value cells regrouped a few value columns at a time, so their statistics
hold one share of the cells at once instead of every cell of the report.

A column's cells all land in one share (its index modulo `SHARES`), so a share's
statistics are, segment for segment, those of all the cells at once, to the last digit:
no (group, column) segment is ever split. With a folder, the shares wait there as raw
records (20 bytes a cell) while the batches are read; without one (a report staged in
memory, which is small), the cells stay in memory as one share, as they come.

Measured on a 1,000,000-issue statusDuration XLSX (bench/RESULTS.md, 2026-12-03): holding
every cell at once and sorting them raised its peak RSS from 223 to 447 MiB; a share at a
time it peaks at 239 MiB.
"""

from __future__ import annotations

import tempfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import polars as pl

#: Value columns share a spill file by index modulo this: a report's 15 statuses get one
#: each; a report of thousands of columns still opens 16 files.
SHARES = 16

CELLS_SCHEMA: dict[str, type[pl.DataType]] = {
    "group": pl.UInt32,
    "column": pl.Int64,
    "value": pl.Float64,
}
EMPTY_CELLS = pl.DataFrame(schema=CELLS_SCHEMA)

_RECORD = np.dtype([("group", "<u4"), ("column", "<i8"), ("value", "<f8")])


def column_shares(
    frames: Iterable[pl.DataFrame], folder: Path | None
) -> Generator[pl.DataFrame, None, None]:
    """The cells of `frames` (`CELLS_SCHEMA`), again, as frames that each hold every cell of
    the value columns they hold; spilled into a folder of their own in `folder` (removed
    once read) unless `folder` is None. Read them all, or close the iterator."""
    if folder is None:
        yield pl.concat([EMPTY_CELLS, *frames])
        return
    with tempfile.TemporaryDirectory(prefix="cells-", dir=folder) as spill, ExitStack() as stack:
        files: dict[int, BinaryIO] = {}
        for frame in frames:
            shares = frame.with_columns(share=pl.col("column") % SHARES).partition_by(
                "share", as_dict=True, include_key=False
            )
            for (share, *_), cells in shares.items():
                if share not in files:
                    files[share] = stack.enter_context(_path(spill, share).open("wb"))
                _records(cells).tofile(files[share])
        stack.close()
        for share in sorted(files):
            yield _read(_path(spill, share))


def share_of(cells: pl.DataFrame) -> int:
    """The share a non-empty frame of one share holds (its columns')."""
    return int(cells["column"][0]) % SHARES


def united_shares(parts: Sequence[Iterable[pl.DataFrame]]) -> Iterator[pl.DataFrame]:
    """The cells of `parts` as `column_shares` gives them, a share of every part at once,
    from parts that each give theirs as `column_shares` does: spilled, a frame per share
    in share order; in memory, one frame (split by share here).

    Nothing is spilled again: the parts are a split export's chunks, each share of which
    waits in a file of its own, so the merge no longer splits every cell by share, writes
    and reads them back (0.5 of its 1.4 s under cProfile at 1,000,000 issues; 0.1 s now)."""
    iterators = [_one_share_each(part) for part in parts]
    heads = [next(iterator, None) for iterator in iterators]
    while shares := [share_of(head) for head in heads if head is not None]:
        share = min(shares)
        frames = []
        for index, head in enumerate(heads):
            if head is not None and share_of(head) == share:
                frames.append(head)
                heads[index] = next(iterators[index], None)
        yield pl.concat(frames)


def _one_share_each(frames: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The non-empty frames of `frames`, those holding several shares split by share."""
    for cells in frames:
        if not cells.height:
            continue
        shares = cells["column"] % SHARES
        if shares.min() == shares.max():
            yield cells
            continue
        split = cells.with_columns(share=shares).partition_by(
            "share", as_dict=True, include_key=False
        )
        for key in sorted(split):
            yield split[key]


def _path(spill: str, share: object) -> Path:
    return Path(spill) / f"share-{share}.bin"


def _records(cells: pl.DataFrame) -> npt.NDArray[np.void]:
    records = np.empty(cells.height, _RECORD)
    for name in CELLS_SCHEMA:
        records[name] = cells[name].to_numpy()
    return records


def _read(path: Path) -> pl.DataFrame:
    records = np.fromfile(path, _RECORD)
    path.unlink()
    return pl.DataFrame({name: records[name] for name in CELLS_SCHEMA}, schema=CELLS_SCHEMA)
