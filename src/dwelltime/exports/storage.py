"""Where export files live: the FileStorage interface and its local-directory implementation.

A file is written under a temporary name and moved into place only when complete, so a
crash, an abort or a full disk never leaves a half file where downloads look.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlparse

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A complete file in storage, ready to be streamed."""

    key: str
    path: Path
    size: int


class PendingFile(Protocol):
    """A file being written; invisible to downloads until `commit()`."""

    stream: BinaryIO

    def commit(self) -> int:
        """Move the finished file into place; returns its size in bytes."""
        ...

    def discard(self) -> None:
        """Remove the partial file (idempotent)."""
        ...


class FileStorage(Protocol):
    """What the exports need from a file store (local directory now, S3 later)."""

    def create(self, key: str) -> PendingFile: ...

    def stat(self, key: str) -> StoredFile | None: ...

    def delete(self, key: str) -> None: ...

    def discard_pending(self, key: str) -> None:
        """Remove a partial file left by a worker that died or was stopped."""
        ...


class _LocalPendingFile:
    def __init__(self, temp: Path, final: Path) -> None:
        self._temp = temp
        self._final = final
        self.stream: BinaryIO = temp.open("wb")

    def commit(self) -> int:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self._temp, self._final)
        return self._final.stat().st_size

    def discard(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass  # the buffered bytes cannot be written (a full disk): the file goes anyway
        finally:
            self._temp.unlink(missing_ok=True)


class LocalStorage:
    """Files in one directory; partial files in its `partial/` subfolder (same filesystem)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._partial = root / "partial"
        self._partial.mkdir(parents=True, exist_ok=True)

    def _final(self, key: str) -> Path:
        # Keys are made by the service from uuid4 ids; refuse anything that could escape root.
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise DwelltimeError(f"Invalid storage key {key!r}.")
        return self.root / key

    def _temp(self, key: str) -> Path:
        return self._partial / f"{self._final(key).name}.partial"

    def create(self, key: str) -> PendingFile:
        return _LocalPendingFile(self._temp(key), self._final(key))

    def stat(self, key: str) -> StoredFile | None:
        path = self._final(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        return StoredFile(key=key, path=path, size=size)

    def delete(self, key: str) -> None:
        self._final(key).unlink(missing_ok=True)

    def discard_pending(self, key: str) -> None:
        self._temp(key).unlink(missing_ok=True)


def open_storage(settings: Settings) -> FileStorage:
    """The storage `settings.resolved_storage_url` names (only file:// for now)."""
    url = urlparse(settings.resolved_storage_url)
    if url.scheme != "file":
        raise DwelltimeError(
            f"Unsupported DWELLTIME_STORAGE_URL scheme {url.scheme!r}; use file:///path."
        )
    return LocalStorage(Path(unquote(url.path)))
