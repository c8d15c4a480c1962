"""LocalStorage: files appear only when committed; partial files never reach downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.exports.storage import LocalStorage, append_stream, open_storage


def test_commit_moves_the_file_into_place(storage: LocalStorage) -> None:
    pending = storage.create("abc")
    pending.stream.write(b"Key,Summary\n")
    assert storage.stat("abc") is None  # invisible while written
    assert pending.commit() == 12
    stored = storage.stat("abc")
    assert stored is not None
    assert stored.size == 12 and stored.path is not None
    assert stored.path.read_bytes() == b"Key,Summary\n"
    assert list((storage.root / "partial").iterdir()) == []


def test_discard_leaves_nothing(storage: LocalStorage) -> None:
    pending = storage.create("abc")
    pending.stream.write(b"half")
    pending.discard()
    pending.discard()
    assert storage.stat("abc") is None
    assert list((storage.root / "partial").iterdir()) == []


def test_discard_pending_removes_a_dead_workers_file(storage: LocalStorage) -> None:
    pending = storage.create("abc")
    pending.stream.write(b"half")
    pending.stream.close()
    storage.discard_pending("abc")
    assert list((storage.root / "partial").iterdir()) == []


def test_delete_is_idempotent(storage: LocalStorage) -> None:
    pending = storage.create("abc")
    pending.commit()
    storage.delete("abc")
    storage.delete("abc")
    assert storage.stat("abc") is None


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("../escape", id="parent"),
        pytest.param("a/b", id="slash"),
        pytest.param(".hidden", id="dot"),
        pytest.param("", id="empty"),
    ],
)
def test_keys_cannot_escape_the_root(storage: LocalStorage, key: str) -> None:
    with pytest.raises(DwelltimeError, match="Invalid storage key"):
        storage.stat(key)


def test_open_storage_follows_the_url(tmp_path: Path) -> None:
    default = open_storage(Settings(home=tmp_path / "home"))
    assert isinstance(default, LocalStorage)
    assert default.root == tmp_path / "home" / "exports"
    with pytest.raises(DwelltimeError, match="Unsupported DWELLTIME_STORAGE_URL"):
        open_storage(Settings(home=tmp_path, storage_url="ftp://host/x"))


def test_stream_reads_ranges(storage: LocalStorage) -> None:
    pending = storage.create("abc")
    pending.stream.write(b"0123456789")
    pending.commit()
    assert b"".join(storage.stream("abc")) == b"0123456789"
    assert b"".join(storage.stream("abc", 2, 4)) == b"234"
    assert storage.download_url("abc", "a.csv", "text/csv") is None


def test_parts_round_trip_and_are_deleted_by_prefix(storage: LocalStorage, tmp_path: Path) -> None:
    source = tmp_path / "source.arrow"
    source.write_bytes(b"staged")
    storage.put_part("e1/0/cells-000000.arrow", source)
    storage.put_part("e10/0/cells-000000.arrow", source)
    copy = tmp_path / "copy.arrow"
    storage.get_part("e1/0/cells-000000.arrow", copy)
    assert copy.read_bytes() == b"staged"
    with storage.open_part("e1/0/cells-000000.arrow") as part:
        assert part.read() == b"staged"
    storage.delete_parts("e1")
    storage.delete_parts("e1")
    with pytest.raises(FileNotFoundError):
        storage.get_part("e1/0/cells-000000.arrow", copy)
    with pytest.raises(FileNotFoundError):
        storage.open_part("e1/0/cells-000000.arrow")
    storage.get_part("e10/0/cells-000000.arrow", copy)
    with pytest.raises(DwelltimeError, match="Invalid storage key"):
        storage.put_part("e1/../../escape", source)


def test_a_part_is_appended_after_what_the_file_holds(
    storage: LocalStorage, tmp_path: Path
) -> None:
    """A merge writes the header, then each chunk's rows in the kernel (sendfile), then
    goes on writing: the file holds them in that order; so does a stream with no file."""
    source = tmp_path / "rows.csv"
    source.write_bytes(b"row 1\nrow 2\n")
    storage.put_part("e1/0/rows.csv", source)
    pending = storage.create("e1")
    pending.stream.write(b"header\n")
    for _ in range(2):
        with storage.open_part("e1/0/rows.csv") as part:
            append_stream(part, pending.stream)
    pending.stream.write(b"end\n")
    assert pending.commit() == len(b"header\n" + 2 * b"row 1\nrow 2\n" + b"end\n")
    assert (storage.root / "e1").read_bytes() == b"header\n" + 2 * b"row 1\nrow 2\n" + b"end\n"
    buffer = io.BytesIO()
    with storage.open_part("e1/0/rows.csv") as part:
        append_stream(part, buffer)
    assert buffer.getvalue() == b"row 1\nrow 2\n"
