"""What a writer writes into: the caller's file, until the write has failed.

A writer that fails half way can leave objects behind (a zip without its directory, a
workbook never closed) whose finalisers write when they are collected. They must neither
reach the caller's file, which is closed or discarded by then, nor wait for a later
garbage collection to fail inside some unrelated request.
"""

from __future__ import annotations

import io
import traceback
from typing import Any, BinaryIO


class Abandonable(io.RawIOBase):
    """`destination` as it is until `abandon()`; afterwards every write goes nowhere."""

    def __init__(self, destination: BinaryIO) -> None:
        super().__init__()
        self._destination = destination
        self._abandoned = False

    def abandon(self) -> None:
        self._abandoned = True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return not self._abandoned and self._destination.seekable()

    def write(self, data: Any) -> int:
        if self._abandoned:
            return len(data)
        return self._destination.write(data)

    def tell(self) -> int:
        return 0 if self._abandoned else self._destination.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return 0 if self._abandoned else self._destination.seek(offset, whence)


def release_frames(error: BaseException) -> None:
    """Drop the local variables of the finished frames behind `error` and the errors it
    chains, so the objects only they held are finalised now."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending.extend((current.__cause__, current.__context__))
