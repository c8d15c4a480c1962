"""ExportService: validation before queuing, ownership, and abort in every state."""

from __future__ import annotations

import json
import threading
import time

import pytest

from dwelltime.config import Settings
from dwelltime.errors import InvalidParameters
from dwelltime.exports import service as service_module
from dwelltime.exports.problems import ALREADY_COMPLETED, NOT_FOUND, ExportNotFound
from dwelltime.exports.records import ExportStore
from dwelltime.exports.service import ExportService
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import LocalStorage
from dwelltime.sources.store.issue_store import IssueStore, ParamSet
from dwelltime.sources.store.param_context import StoreParamContext
from tests.exports.factories import CSV_PARAMS, make_record


class Calls:
    def __init__(self) -> None:
        self.queued = 0
        self.cancelled: list[str] = []

    def on_queued(self) -> None:
        self.queued += 1

    def cancel(self, export_id: str) -> bool:
        self.cancelled.append(export_id)
        return True


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def service(
    settings: Settings, store: ExportStore, storage: LocalStorage, calls: Calls
) -> ExportService:
    context = StoreParamContext(IssueStore.open(settings))
    return ExportService(store, storage, settings, context, calls.on_queued, calls.cancel)


def test_start_records_a_queued_export_and_wakes_the_scheduler(
    service: ExportService, calls: Calls
) -> None:
    record = service.start("alice", {**CSV_PARAMS, "tisjwt": ["secret"], "junk": ["1"]})
    assert record.status is ExportStatus.QUEUED and calls.queued == 1
    assert record.now_ms == record.created_ms
    assert record.file_name.endswith(".csv")
    assert "secret" not in record.params and "junk" not in record.params


def test_invalid_parameters_record_nothing(service: ExportService, store: ExportStore) -> None:
    with pytest.raises(InvalidParameters):
        service.start("alice", {"outputType": ["PDF"]})
    assert store.page_for_owner("alice", 0, 10) == ([], 0)


def test_someone_elses_export_is_not_found(service: ExportService, store: ExportStore) -> None:
    record = make_record(owner="bob")
    store.insert(record)
    for call in (service.get, service.abort, service.open_download):
        with pytest.raises(ExportNotFound) as raised:
            call("alice", record.id)
        assert (raised.value.message, raised.value.export_id) == (NOT_FOUND, record.id)


def _finish_when_asked(
    store: ExportStore, export_id: str, target: ExportStatus
) -> threading.Thread:
    """A pretend runner: waits for the abort flag, then ends in `target`."""

    def runner() -> None:
        while not store.is_abort_requested(export_id):
            time.sleep(0.01)
        store.move(export_id, ExportStatus.RUNNING, target, completed=7)

    thread = threading.Thread(target=runner)
    thread.start()
    return thread


def test_abort_waits_for_a_cooperative_stop(service: ExportService, store: ExportStore) -> None:
    record = make_record(status=ExportStatus.RUNNING)
    store.insert(record)
    runner = _finish_when_asked(store, record.id, ExportStatus.ABORTED)
    aborted = service.abort("alice", record.id)
    runner.join()
    assert (aborted.status, aborted.completed) == (ExportStatus.ABORTED, 7)
    assert aborted.message == "Aborted by alice."


def test_abort_racing_a_finish_reports_completed(
    service: ExportService, store: ExportStore
) -> None:
    record = make_record(status=ExportStatus.RUNNING)
    store.insert(record)
    runner = _finish_when_asked(store, record.id, ExportStatus.SUCCESSFUL)
    with pytest.raises(ExportNotFound, match=ALREADY_COMPLETED):
        service.abort("alice", record.id)
    runner.join()


def test_a_job_that_ignores_abort_is_killed_after_the_wait(
    service: ExportService,
    store: ExportStore,
    storage: LocalStorage,
    calls: Calls,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service_module, "ABORT_WAIT_SECONDS", 0.2)
    record = make_record(status=ExportStatus.RUNNING)
    store.insert(record)
    storage.create(record.id).stream.write(b"half")
    aborted = service.abort("alice", record.id)
    assert aborted.status is ExportStatus.ABORTED
    assert calls.cancelled == [record.id]
    assert list((storage.root / "partial").iterdir()) == []


def test_a_parameter_set_is_resolved_when_the_export_starts(
    service: ExportService, settings: Settings
) -> None:
    """The job must run what was validated, even if the saved set changes while queued."""
    saved = {"columnsBy": ["statusCount"], "viewFormat": ["hours"]}
    IssueStore.open(settings).save_param_set(ParamSet("7", "mine", None, saved))
    explicit = {name: values for name, values in CSV_PARAMS.items() if name != "columnsBy"}
    record = service.start("alice", {**explicit, "paramSetId": ["7"], "viewFormat": ["days"]})
    stored = json.loads(record.params)
    assert "paramSetId" not in stored
    assert stored["columnsBy"] == ["statusCount"] and stored["viewFormat"] == ["days"]


@pytest.mark.parametrize(
    ("filter_params", "prefix"),
    [
        pytest.param({"projectKey": ["PAY"]}, "statusDuration-PAY-", id="project"),
        pytest.param(
            {"filterType": ["customjql"], "customjql": ["project = PAY AND status = Open"]},
            "statusDuration-jql-",
            id="jql-is-not-spelled-out",
        ),
        pytest.param({"filterType": ["sprint"], "sprintID": ["12"]}, "statusDuration-sprint-12-"),
    ],
)
def test_file_names_name_the_filter_readably(
    service: ExportService, filter_params: dict[str, list[str]], prefix: str
) -> None:
    explicit = {name: values for name, values in CSV_PARAMS.items() if name != "projectKey"}
    record = service.start("alice", {**explicit, **filter_params})
    assert record.file_name.startswith(prefix)
