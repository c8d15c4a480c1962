"""run_export: the one job body: success, abort, bad parameters, a full disk, lost races."""

from __future__ import annotations

import errno
import io
import json
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from dwelltime.config import Settings
from dwelltime.exports import runner
from dwelltime.exports.records import ExportStore
from dwelltime.exports.runner import run_export
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import FileStorage, LocalStorage, PendingFile, StoredFile
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.exports.factories import CSV_PARAMS, make_record

DEMO_ISSUES = 120


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("runner") / "home", batch_size=10)
    write_demo(IssueStore.open(settings), DEMO_ISSUES, projects=1)
    return settings


@pytest.fixture
def demo_store(demo_settings: Settings) -> ExportStore:
    return ExportStore(IssueStore.open(demo_settings).engine)


def _run(settings: Settings, store: ExportStore, **overrides: object) -> str:
    record = make_record(**overrides)
    store.insert(record)
    run_export(record.id, settings)
    return record.id


def test_a_successful_run_moves_the_file_into_place(
    demo_settings: Settings, demo_store: ExportStore
) -> None:
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.SUCCESSFUL
    assert record.completed == record.total > 0 and record.attempts == 1
    stored = LocalStorage(demo_settings.home / "exports").stat(export_id)
    assert stored is not None and stored.size == record.size
    assert stored.path is not None
    assert stored.path.read_text(encoding="utf-8-sig").startswith("Key,Summary")


def test_only_queued_exports_are_run(demo_settings: Settings, demo_store: ExportStore) -> None:
    export_id = _run(demo_settings, demo_store, status=ExportStatus.ABORTED)
    record = demo_store.get(export_id)
    assert record is not None and record.status is ExportStatus.ABORTED
    assert record.attempts == 0


def test_parameters_that_no_longer_resolve_fail_the_export(
    demo_settings: Settings, demo_store: ExportStore
) -> None:
    params = json.dumps({**CSV_PARAMS, "calendar": ["no-such-calendar"]})
    export_id = _run(demo_settings, demo_store, params=params)
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.FAILED
    assert record.message is not None and "calendar" in record.message
    assert record.detail is not None and "Traceback" in record.detail


class _AbortAfterFirstBatch(runner.JobProgress):
    def should_stop(self) -> bool:
        return self.completed > 0


def test_an_abort_request_stops_between_batches(
    demo_settings: Settings, demo_store: ExportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "JobProgress", _AbortAfterFirstBatch)
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.ABORTED
    assert 0 < record.completed < record.total
    assert LocalStorage(demo_settings.home / "exports").stat(export_id) is None
    assert list((demo_settings.home / "exports" / "partial").iterdir()) == []


class _FullDisk(io.RawIOBase):
    """A stream whose every write fails like a full disk."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


class _WrappedStorage(LocalStorage):
    """Local storage whose `create` a test replaces; everything else passes through."""

    def __init__(self, inner: LocalStorage) -> None:
        super().__init__(inner.root)
        self.inner = inner

    def create(self, key: str) -> PendingFile:
        return self.inner.create(key)

    def stat(self, key: str) -> StoredFile | None:
        return self.inner.stat(key)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def discard_pending(self, key: str) -> None:
        self.inner.discard_pending(key)


class _FullDiskStorage(_WrappedStorage):
    def __init__(self, inner: LocalStorage) -> None:
        super().__init__(inner)
        self.discarded = False

    def create(self, key: str) -> PendingFile:
        pending = self.inner.create(key)
        pending.stream.close()
        storage = self

        class Pending:
            stream = cast(BinaryIO, io.BufferedWriter(_FullDisk()))

            def commit(self) -> int:
                raise AssertionError("a failed write must never be committed")

            def discard(self) -> None:
                storage.discarded = True
                pending.discard()

        return Pending()


def test_a_full_disk_fails_with_a_clear_message(
    demo_settings: Settings, demo_store: ExportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = _FullDiskStorage(LocalStorage(demo_settings.home / "exports"))

    def open_full(_: Settings) -> FileStorage:
        return full

    monkeypatch.setattr(runner, "open_storage", open_full)
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.FAILED
    assert record.message == "The export failed: the disk holding export files is full."
    assert full.discarded
    assert list(Path(demo_settings.home / "exports" / "partial").iterdir()) == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        pytest.param(
            OSError(errno.ENOSPC, "No space left on device"),
            "The export failed: the disk holding export files is full.",
            id="enospc",
        ),
        pytest.param(
            OSError(errno.EACCES, "Permission denied"),
            "The export failed while writing its file: Permission denied.",
            id="eacces",
        ),
    ],
)
def test_write_failure_messages(error: OSError, message: str) -> None:
    assert runner.write_failure_message(error) == message


class _AbortAtCommit(_WrappedStorage):
    """Storage whose commit lets an abort request land just before the export finishes:
    the race of a DELETE arriving while the last batch is written."""

    def __init__(self, inner: LocalStorage, store: ExportStore) -> None:
        super().__init__(inner)
        self.store = store

    def create(self, key: str) -> PendingFile:
        pending = self.inner.create(key)
        store = self.store

        class Pending:
            stream = pending.stream

            def commit(self) -> int:
                assert store.request_abort(key, "Aborted by alice.")
                return pending.commit()

            def discard(self) -> None:
                pending.discard()

        return Pending()


def test_an_abort_requested_while_finishing_wins_and_the_record_says_so(
    demo_settings: Settings, demo_store: ExportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _AbortAtCommit(LocalStorage(demo_settings.home / "exports"), demo_store)

    def open_racing(_: Settings) -> FileStorage:
        return storage

    monkeypatch.setattr(runner, "open_storage", open_racing)
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.ABORTED
    assert record.message == "Aborted by alice."
    assert storage.stat(export_id) is None


def test_an_export_that_finished_first_keeps_no_abort_message(
    demo_settings: Settings, demo_store: ExportStore
) -> None:
    export_id = _run(demo_settings, demo_store)
    assert not demo_store.request_abort(export_id, "Aborted by alice.")
    record = demo_store.get(export_id)
    assert record is not None
    assert record.status is ExportStatus.SUCCESSFUL and record.message is None


def test_an_unexpected_error_keeps_its_text_out_of_the_message(
    demo_settings: Settings, demo_store: ExportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "SELECT * FROM issues WHERE summary LIKE '%x%'"

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError(secret)

    monkeypatch.setattr(runner, "run_report", broken)
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None and record.status is ExportStatus.FAILED
    assert record.message == (
        f"The export failed unexpectedly; the server log has the details (export {export_id})."
    )
    assert record.detail is not None and secret in record.detail


def test_a_full_disk_behind_a_writer_error_is_named(
    demo_settings: Settings, demo_store: ExportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wrapped(*_: object, **__: object) -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            raise ValueError("the workbook could not be closed") from error

    monkeypatch.setattr(runner, "run_report", wrapped)
    export_id = _run(demo_settings, demo_store)
    record = demo_store.get(export_id)
    assert record is not None and record.status is ExportStatus.FAILED
    assert record.message == "The export failed: the disk holding export files is full."


def test_discarding_after_a_full_disk_does_not_raise(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full (a Linux device that is always full) on this machine")
    storage = LocalStorage(tmp_path)
    pending = storage.create("x")
    pending.stream.write(b"buffered")
    full = open("/dev/full", "wb")  # noqa: SIM115  (closed by discard)
    pending.stream.close()
    pending.stream = full
    full.write(b"more than nothing")
    pending.discard()
    assert full.closed
    assert list((tmp_path / "partial").iterdir()) == []
