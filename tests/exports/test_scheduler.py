"""The scheduler: fair dispatch under per-user caps, recovery of dead workers, retention."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from dwelltime.config import Settings
from dwelltime.exports.executors.base import unit_key
from dwelltime.exports.records import ExportRecord, ExportStore, now_ms
from dwelltime.exports.recovery import MAX_ATTEMPTS, recover, stale_running
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import LocalStorage
from dwelltime.exports.units import UnitStatus, UnitStore
from dwelltime.exports.units import units as unit_rows
from tests.exports.factories import make_record
from tests.exports.fake_executor import RecordingExecutor


def _scheduler(
    store: ExportStore, storage: LocalStorage, settings: Settings, slots: int, cap: int = 2
) -> tuple[Scheduler, RecordingExecutor]:
    executor = RecordingExecutor(store, slots)
    tuned = settings.model_copy(update={"max_running_per_user": cap, "stale_after_seconds": 5.0})
    return Scheduler(store, storage, executor, tuned), executor


def _queue(store: ExportStore, owner: str, count: int, start_ms: int) -> list[str]:
    records = [make_record(owner=owner, created_ms=start_ms + index) for index in range(count)]
    for record in records:
        store.insert(record)
    return [record.id for record in records]


def _status(store: ExportStore, export_id: str) -> ExportRecord:
    record = store.get(export_id)
    assert record is not None
    return record


def test_users_are_served_in_turn(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    alice = _queue(store, "alice", 3, 1000)
    bob = _queue(store, "bob", 2, 5000)
    scheduler, executor = _scheduler(store, storage, settings, slots=2)
    scheduler.tick()
    assert executor.submitted == [alice[0], bob[0]]
    executor.end(alice[0], 0)
    executor.end(bob[0], 0)
    scheduler.tick()
    # Both finished "successfully" from the executor's side but stayed Running in the
    # record, so they were taken as dead and re-queued; the next round still alternates.
    assert executor.submitted[2:] == [alice[0], bob[0]]


def test_a_user_at_the_cap_waits(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    alice = _queue(store, "alice", 3, 1000)
    scheduler, executor = _scheduler(store, storage, settings, slots=3, cap=1)
    scheduler.tick()
    assert executor.submitted == [alice[0]]
    bob = _queue(store, "bob", 1, 9000)
    scheduler.tick()
    assert executor.submitted == [alice[0], bob[0]]
    assert _status(store, alice[1]).status is ExportStatus.QUEUED


def test_the_least_recently_served_user_goes_first(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    alice = _queue(store, "alice", 3, 1000)
    scheduler, executor = _scheduler(store, storage, settings, slots=1, cap=3)
    scheduler.tick()
    bob = _queue(store, "bob", 1, 9000)
    executor.slots = 2
    scheduler.tick()
    assert executor.submitted == [alice[0], bob[0]]


@pytest.mark.parametrize(
    ("attempts", "abort_requested", "expected"),
    [
        pytest.param(1, False, ExportStatus.QUEUED, id="first-death-retries"),
        pytest.param(MAX_ATTEMPTS, False, ExportStatus.FAILED, id="second-death-fails"),
        pytest.param(1, True, ExportStatus.ABORTED, id="death-while-aborting"),
    ],
)
def test_a_dead_worker_is_settled(
    store: ExportStore,
    storage: LocalStorage,
    settings: Settings,
    attempts: int,
    abort_requested: bool,
    expected: ExportStatus,
) -> None:
    record = make_record(
        status=ExportStatus.RUNNING,
        attempts=attempts,
        heartbeat_ms=now_ms(),
        abort_requested=abort_requested,
    )
    store.insert(record)
    partial = storage.create(record.id)
    partial.stream.write(b"half")
    partial.stream.close()
    scheduler, executor = _scheduler(store, storage, settings, slots=0)
    executor.running.add(record.id)
    executor.end(record.id, -9)
    scheduler.tick()
    settled = _status(store, record.id)
    assert settled.status is expected
    assert list((storage.root / "partial").iterdir()) == []
    if expected is ExportStatus.FAILED:
        assert settled.message is not None
        assert (
            "exit code -9" in settled.message and f"tried {MAX_ATTEMPTS} times" in settled.message
        )


def test_a_silent_worker_is_noticed_by_its_heartbeat(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    orphan = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms() - 60_000)
    alive = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms())
    hung = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms() - 60_000)
    for record in (orphan, alive, hung):
        store.insert(record)
    scheduler, executor = _scheduler(store, storage, settings, slots=0)
    executor.running.add(hung.id)
    scheduler.tick()
    assert _status(store, orphan.id).status is ExportStatus.QUEUED
    assert _status(store, alive.id).status is ExportStatus.RUNNING
    assert _status(store, hung.id).status is ExportStatus.QUEUED
    assert executor.cancelled == [hung.id]


def test_a_starved_worker_is_vouched_for_until_it_is_hung(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    silent_since = now_ms() - 60_000
    starved = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=silent_since)
    store.insert(starved)
    scheduler, executor = _scheduler(store, storage, settings, slots=0)
    executor.running.add(starved.id)
    executor.starved.add(starved.id)
    scheduler.tick()
    # Silent for a minute, but its process waits for a CPU: serve beats for it.
    kept = _status(store, starved.id)
    assert (kept.status, kept.attempts, executor.cancelled) == (ExportStatus.RUNNING, 1, [])
    assert kept.heartbeat_ms is not None and kept.heartbeat_ms > silent_since
    # Once its threads all sleep while it stays silent, it is hung: stopped and redone.
    executor.starved.clear()
    assert store.update_running(starved.id, heartbeat_ms=silent_since)
    scheduler.tick()
    assert _status(store, starved.id).status is ExportStatus.QUEUED
    assert executor.cancelled == [starved.id]


def test_only_the_owning_server_vouches_for_a_worker(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    orphan = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms() - 60_000)
    store.insert(orphan)
    scheduler, executor = _scheduler(store, storage, settings, slots=0)
    executor.starved.add(orphan.id)  # a process of that id, but not one this server runs
    scheduler.tick()
    assert _status(store, orphan.id).status is ExportStatus.QUEUED


def test_a_starved_chunk_is_vouched_for(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    record = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms())
    store.insert(record)
    units = UnitStore(store.engine)
    units.plan(record.id, record.owner, [(0, 10), (10, 20)])
    token = str(uuid.uuid4())
    assert units.claim(record.id, 0, token)
    with store.engine.begin() as connection:
        connection.execute(unit_rows.update().values(heartbeat_ms=0))
    scheduler, executor = _scheduler(store, storage, settings, slots=0)
    executor.running.add(unit_key(record.id, 0))
    executor.starved.add(unit_key(record.id, 0))
    scheduler.tick()
    chunk = units.get(record.id, 0)
    assert chunk is not None
    assert (chunk.status, chunk.token, chunk.attempts) == (UnitStatus.RUNNING, token, 1)
    assert (chunk.heartbeat_ms or 0) > 0 and executor.cancelled == []


def test_a_worker_judged_dead_that_beats_again_keeps_its_export(
    store: ExportStore, storage: LocalStorage
) -> None:
    record = make_record(status=ExportStatus.RUNNING, attempts=1, heartbeat_ms=now_ms() - 60_000)
    store.insert(record)
    partial = storage.create(record.id)
    partial.stream.write(b"half")
    partial.stream.close()
    [judged] = stale_running(store, stale_after_seconds=5.0)
    # Starved, not dead: its heartbeat lands between the judgement and the write.
    assert store.update_running(record.id, heartbeat_ms=now_ms())
    recover(store, storage, judged, "The export's worker stopped sending heartbeats")
    kept = _status(store, record.id)
    assert (kept.status, kept.attempts) == (ExportStatus.RUNNING, 1)
    assert [path.name for path in (storage.root / "partial").iterdir()] != []
    # Judged again on the fresh snapshot once it really falls silent, it is settled.
    assert store.update_running(record.id, heartbeat_ms=now_ms() - 60_000)
    [judged] = stale_running(store, stale_after_seconds=5.0)
    recover(store, storage, judged, "The export's worker stopped sending heartbeats")
    assert _status(store, record.id).status is ExportStatus.QUEUED
    assert list((storage.root / "partial").iterdir()) == []


def test_shutdown_requeues_running_exports_without_spending_a_retry(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    [export_id] = _queue(store, "alice", 1, 1000)
    scheduler, _ = _scheduler(store, storage, settings, slots=1)
    scheduler.tick()
    assert _status(store, export_id).attempts == 1
    scheduler.shutdown()
    requeued = _status(store, export_id)
    assert (requeued.status, requeued.attempts) == (ExportStatus.QUEUED, 0)


def test_retention_sweeps_old_finished_exports_and_their_files(
    store: ExportStore, storage: LocalStorage, settings: Settings
) -> None:
    old = make_record(
        status=ExportStatus.SUCCESSFUL, created_ms=1000, finished_ms=2000, file_key="old"
    )
    kept = make_record(status=ExportStatus.SUCCESSFUL, finished_ms=now_ms(), file_key="kept")
    waiting = make_record(created_ms=1000)
    for record in (old, kept, waiting):
        store.insert(record)
        if record.file_key:
            storage.create(record.file_key).commit()
    tuned = settings.model_copy(update={"retention": timedelta(days=1)})
    Scheduler(store, storage, RecordingExecutor(store, 0), tuned).tick()
    assert store.get(old.id) is None and storage.stat("old") is None
    assert store.get(kept.id) is not None and storage.stat("kept") is not None
    assert store.get(waiting.id) is not None
