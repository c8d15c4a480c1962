"""Where export files live: the FileStorage interface and its local-directory implementation
(S3 is in `s3_storage`).

A file is written under a temporary name and moved into place only when complete, so a
crash, an abort or a full disk never leaves a half file where downloads look. Parts are the
staged pieces of a chunked export, kept under `parts/` until its merge step has read them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlparse

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A complete file in storage, ready to be streamed.

    `path` is set when the file is on a local disk (served with sendfile and Range support);
    otherwise the API streams it through `FileStorage.stream`, with the store's `etag` (so a
    client resuming with Range can tell the file is the same, whichever server answers).
    """

    key: str
    size: int
    path: Path | None = None
    etag: str | None = None


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
    """What the exports need from a file store: a local directory or an S3 bucket."""

    def create(self, key: str) -> PendingFile: ...

    def stat(self, key: str) -> StoredFile | None: ...

    def stream(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        """Bytes `first`..`last` (inclusive; None: to the end) of a stored file, in chunks."""
        ...

    def download_url(self, key: str, file_name: str, content_type: str) -> str | None:
        """A short-lived URL the client may fetch the file from directly, or None."""
        ...

    def delete(self, key: str) -> None: ...

    def discard_pending(self, key: str) -> None:
        """Remove a partial file left by a worker that died or was stopped."""
        ...

    def put_part(self, key: str, source: Path) -> None:
        """Store the local file `source` as part `key` (a/b/c names are allowed)."""
        ...

    def get_part(self, key: str, destination: Path) -> None:
        """Copy part `key` into the local file `destination`; FileNotFoundError when no
        part `key` was stored (an older version did not store it)."""
        ...

    def open_part(self, key: str) -> BinaryIO:
        """Part `key` opened for reading where it is kept, for a merge that reads it once
        (no local copy first); FileNotFoundError as for `get_part`."""
        ...

    def delete_parts(self, prefix: str) -> None:
        """Remove every part whose key starts with `prefix/` (idempotent)."""
        ...


#: Downloads are streamed in pieces of this size.
STREAM_CHUNK_BYTES = 1 << 20


def append_stream(source: BinaryIO, destination: BinaryIO) -> None:
    """Write the rest of `source` to `destination`: from file to file in the kernel
    (sendfile), else through a buffer (an S3 part or upload)."""
    try:
        files = (source.fileno(), destination.fileno())
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        shutil.copyfileobj(source, destination, STREAM_CHUNK_BYTES)
        return
    destination.flush()
    offset = source.tell()
    while sent := os.sendfile(files[1], files[0], offset, 1 << 30):
        offset += sent


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
        self._parts = root / "parts"

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

    def stream(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        with self._final(key).open("rb") as file:
            file.seek(first)
            left = (last + 1 - first) if last is not None else None
            while chunk := file.read(
                STREAM_CHUNK_BYTES if left is None else min(left, STREAM_CHUNK_BYTES)
            ):
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def download_url(self, key: str, file_name: str, content_type: str) -> str | None:
        return None

    def delete(self, key: str) -> None:
        self._final(key).unlink(missing_ok=True)

    def discard_pending(self, key: str) -> None:
        self._temp(key).unlink(missing_ok=True)

    def _part(self, key: str) -> Path:
        segments = key.split("/")
        if not all(segments) or any(s.startswith(".") or "\\" in s for s in segments):
            raise DwelltimeError(f"Invalid storage key {key!r}.")
        return self._parts.joinpath(*segments)

    def put_part(self, key: str, source: Path) -> None:
        target = self._part(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A name of this writer's own: a chunk's redo (or two writers of one plan) may
        # write the part while a run that lost it still does.
        temp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.partial")
        try:
            shutil.copyfile(source, temp)
            os.replace(temp, target)  # a reader never sees half a part
        except BaseException:
            temp.unlink(missing_ok=True)  # a full disk leaves no half part behind
            raise

    def get_part(self, key: str, destination: Path) -> None:
        shutil.copyfile(self._part(key), destination)

    def open_part(self, key: str) -> BinaryIO:
        return self._part(key).open("rb")

    def delete_parts(self, prefix: str) -> None:
        shutil.rmtree(self._part(prefix), ignore_errors=True)


def open_storage(settings: Settings) -> FileStorage:
    """The storage `settings.resolved_storage_url` names: file:///path or s3://bucket/prefix."""
    url = urlparse(settings.resolved_storage_url)
    if url.scheme == "s3":
        # Imported here: boto3 costs a second of imports that file storage never needs.
        from dwelltime.exports.s3_storage import S3Storage

        return S3Storage.from_settings(settings)
    if url.scheme != "file":
        raise DwelltimeError(
            f"Unsupported DWELLTIME_STORAGE_URL scheme {url.scheme!r}; "
            "use file:///path or s3://bucket/prefix."
        )
    return LocalStorage(Path(unquote(url.path)))
