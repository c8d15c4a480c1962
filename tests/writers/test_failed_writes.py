"""A write that fails half way (a full disk, an abort between rows) leaves nothing behind
that writes into the destination later, once its caller has closed or discarded it."""

from __future__ import annotations

import errno
import gc
import io
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, cast

import pytest

from dwelltime.engine.table import Cell, Sheet
from dwelltime.params.model import OutputType
from dwelltime.writers import write_report
from tests.writers.factories import LIST_COLUMNS, LIST_ROWS, report_table


class _Destination(io.RawIOBase):
    """Takes `room` bytes, then fails every write like a full disk; remembers any write
    that arrives after it was closed."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.late_writes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            self.late_writes += 1
            raise ValueError("write to closed file")
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return len(data)


class _Stopped(Exception):
    pass


def _stopping_sheet() -> Sheet:
    """A List whose rows stop with an error half way, as an abort would."""

    def rows() -> Iterator[Sequence[Cell]]:
        yield from LIST_ROWS[:3]
        raise _Stopped

    return Sheet("List", LIST_COLUMNS, rows, len(LIST_ROWS))


@pytest.mark.parametrize("output_type", [OutputType.XLSX, OutputType.XLS, OutputType.CSV])
@pytest.mark.parametrize(
    ("room", "stopping", "raised"),
    [
        pytest.param(0, False, Exception, id="full-disk-at-once"),
        pytest.param(100, False, Exception, id="full-disk-half-way"),
        pytest.param(10**9, True, _Stopped, id="stopped-between-rows"),
    ],
)
def test_nothing_writes_after_a_failed_write(
    output_type: OutputType, room: int, stopping: bool, raised: type[BaseException]
) -> None:
    destination = _Destination(room)
    table = report_table(listing=_stopping_sheet() if stopping else None)
    with pytest.raises(raised):
        write_report(table, output_type, cast(BinaryIO, destination))
    destination.close()
    gc.collect()  # a finaliser left to the collector would write now, or fail this test
    assert destination.late_writes == 0
