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
from dwelltime.exports.storage import FileStorage, LocalStorage, PendingFile
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


class _FullDiskStorage(LocalStorage):
    """Local storage whose disk is full for export files."""

    def __init__(self, inner: LocalStorage) -> None:
        super().__init__(inner.root)
        self.inner = inner
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
