"""The aggregates' cells spilled a few value columns at a time: every cell once, each
column in one share, the spill removed, and statistics share by share equal to those of
all the cells at once, to the last bit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwelltime.engine.output.column_shares import (
    CELLS_SCHEMA,
    EMPTY_CELLS,
    SHARES,
    column_shares,
    share_of,
    united_shares,
)
from dwelltime.engine.output.statistics import Statistics, segment_statistics
from dwelltime.engine.staging import MemoryStaging
from dwelltime.engine.table import AggregateKind, Cell
from dwelltime.params.model import AverageDenominator, ReportType
from tests.engine.engine_run import run
from tests.engine.test_aggregates import grouped_issues

#: (group, column, value) cells, a value column index well past SHARES so shares mix columns.
cell_strategy = st.tuples(
    st.integers(0, 3), st.integers(0, 3 * SHARES), st.integers(0, 10**9).map(float)
)
batches_strategy = st.lists(st.lists(cell_strategy, max_size=30), min_size=1, max_size=4)


def frames(batches: list[list[tuple[int, int, float]]]) -> list[pl.DataFrame]:
    return [pl.DataFrame(batch, schema=CELLS_SCHEMA, orient="row") for batch in batches]


def by_key(stats: Statistics) -> dict[int, tuple[float, float, float, float]]:
    rows = zip(
        stats.sums.tolist(),
        stats.means.tolist(),
        stats.medians.tolist(),
        stats.stds.tolist(),
        strict=True,
    )
    return dict(zip(stats.keys.tolist(), rows, strict=True))


def statistics_of(cells: pl.DataFrame, width: int) -> dict[int, tuple[float, float, float, float]]:
    keys = cells["group"].cast(pl.Int64).to_numpy() * width + cells["column"].to_numpy()
    return by_key(segment_statistics(keys, cells["value"].to_numpy()))


def ordered(cells: pl.DataFrame) -> list[tuple[int, int, float]]:
    return sorted(cells.iter_rows())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches_strategy)
def test_spilled_shares_hold_every_cell_once_and_each_column_whole(
    batches: list[list[tuple[int, int, float]]], tmp_path: Path
) -> None:
    shares = list(column_shares(frames(batches), tmp_path))
    every = pl.concat([pl.DataFrame(schema=CELLS_SCHEMA), *frames(batches)])
    assert ordered(pl.concat([every.clear(), *shares])) == ordered(every)
    columns = [set(share["column"].to_list()) for share in shares]
    assert sum(map(len, columns)) == len(set().union(*columns))
    assert all(share.schema == every.schema for share in shares)
    assert list(tmp_path.iterdir()) == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches_strategy)
def test_statistics_share_by_share_are_those_of_all_cells_at_once(
    batches: list[list[tuple[int, int, float]]], tmp_path: Path
) -> None:
    width = 3 * SHARES + 1
    every = pl.concat([pl.DataFrame(schema=CELLS_SCHEMA), *frames(batches)])
    shared: dict[int, tuple[float, float, float, float]] = {}
    for share in column_shares(frames(batches), tmp_path):
        shared.update(statistics_of(share, width))
    assert shared == statistics_of(every, width)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(batches_strategy, min_size=1, max_size=4), spilled=st.lists(st.booleans()))
def test_united_shares_of_parts_are_the_shares_of_all_their_cells(
    parts: list[list[list[tuple[int, int, float]]]], spilled: list[bool], tmp_path: Path
) -> None:
    """A split export's merge: each part's cells as `column_shares` gave them (spilled, or
    in memory as one frame), united share by share: every cell once, each column in one
    share, and the statistics of all the cells at once."""
    width = 3 * SHARES + 1
    given = [
        column_shares(frames(batches), tmp_path if spill else None)
        for batches, spill in zip(parts, [*spilled, *[False] * len(parts)], strict=False)
    ]
    shares = list(united_shares(given))
    every = pl.concat([EMPTY_CELLS, *(frame for batches in parts for frame in frames(batches))])
    assert ordered(pl.concat([EMPTY_CELLS, *shares])) == ordered(every)
    columns = [set(share["column"].to_list()) for share in shares]
    assert sum(map(len, columns)) == len(set().union(*columns))
    for share in shares:
        assert {column % SHARES for column in share["column"]} == {share_of(share)}
    united: dict[int, tuple[float, float, float, float]] = {}
    for share in shares:
        united.update(statistics_of(share, width))
    assert united == statistics_of(every, width)
    assert list(tmp_path.iterdir()) == []


def test_in_memory_the_cells_are_one_share() -> None:
    batches = [[(0, 1, 5.0), (1, 2, 7.0)], [(0, 1, 6.0)]]
    shares = list(column_shares(frames(batches), None))
    assert len(shares) == 1
    assert ordered(shares[0]) == [(0, 1, 5.0), (0, 1, 6.0), (1, 2, 7.0)]


def test_a_read_given_up_half_way_leaves_no_spill(tmp_path: Path) -> None:
    shares = column_shares(frames([[(0, 1, 5.0), (0, 2, 7.0)]]), tmp_path)
    next(shares)
    assert list(tmp_path.iterdir())
    shares.close()
    assert list(tmp_path.iterdir()) == []


class FolderStaging(MemoryStaging):
    """Batches in memory, but a folder to spill the aggregates' cells in (as the pipeline's)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder

    @property
    def folder(self) -> Path | None:
        return self._folder


@pytest.mark.parametrize("denominator", list(AverageDenominator))
def test_aggregates_from_spilled_cells_are_those_from_memory(
    denominator: AverageDenominator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def aggregates() -> dict[AggregateKind, list[list[Cell]]]:
        table = run(
            ReportType.STATUS_DURATION,
            grouped_issues(),
            group_by_fields=("issuetype",),
            average_denominator=denominator,
        )
        return {
            kind: [list(row) for row in sheet.rows()] for kind, sheet in table.aggregates.items()
        }

    expected = aggregates()
    spilled_in = []

    def spied(cells: Iterable[pl.DataFrame], folder: Path | None) -> Iterator[pl.DataFrame]:
        spilled_in.append(folder)
        return column_shares(cells, folder)

    monkeypatch.setattr("dwelltime.engine.report.MemoryStaging", lambda: FolderStaging(tmp_path))
    monkeypatch.setattr("dwelltime.engine.output.aggregates.column_shares", spied)
    assert aggregates() == expected
    assert spilled_in == [tmp_path]
    assert list(tmp_path.iterdir()) == []
