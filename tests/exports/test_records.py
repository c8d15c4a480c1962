"""ExportStore: round trips, compare-and-set moves, pages, progress, retention queries."""

from __future__ import annotations

import threading

import pytest

from dwelltime.exports.records import ExportStore, now_ms
from dwelltime.exports.status import ExportStatus, InvalidTransition
from tests.exports.factories import make_record


def test_insert_then_get_round_trips(store: ExportStore) -> None:
    record = make_record()
    store.insert(record)
    assert store.get(record.id) == record
    assert store.get("missing") is None


def test_move_is_compare_and_set(store: ExportStore) -> None:
    record = make_record()
    store.insert(record)
    assert store.move(record.id, ExportStatus.QUEUED, ExportStatus.RUNNING, attempts=1)
    # A second claimer expecting Queued loses.
    assert not store.move(record.id, ExportStatus.QUEUED, ExportStatus.RUNNING)
    moved = store.get(record.id)
    assert moved is not None
    assert (moved.status, moved.attempts) == (ExportStatus.RUNNING, 1)


def test_move_rejects_a_forbidden_transition(store: ExportStore) -> None:
    record = make_record(status=ExportStatus.SUCCESSFUL)
    store.insert(record)
    with pytest.raises(InvalidTransition):
        store.move(record.id, ExportStatus.SUCCESSFUL, ExportStatus.RUNNING)


def test_finishing_moves_stamp_finished(store: ExportStore) -> None:
    record = make_record(status=ExportStatus.RUNNING)
    store.insert(record)
    before = now_ms()
    assert store.move(record.id, ExportStatus.RUNNING, ExportStatus.FAILED, message="boom")
    failed = store.get(record.id)
    assert failed is not None
    assert failed.finished_ms is not None and failed.finished_ms >= before
    assert failed.message == "boom"


def _race(store: ExportStore, export_id: str) -> dict[ExportStatus, bool]:
    """Abort and finish one Running export at the same instant from two threads."""
    results: dict[ExportStatus, bool] = {}
    barrier = threading.Barrier(2)

    def move(target: ExportStatus) -> None:
        barrier.wait()
        results[target] = store.move(export_id, ExportStatus.RUNNING, target)

    threads = [
        threading.Thread(target=move, args=(target,))
        for target in (ExportStatus.ABORTED, ExportStatus.SUCCESSFUL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_abort_and_finish_have_one_winner(store: ExportStore) -> None:
    for _ in range(10):
        record = make_record(status=ExportStatus.RUNNING)
        store.insert(record)
        results = _race(store, record.id)
        assert sorted(results.values()) == [False, True]
        final = store.get(record.id)
        assert final is not None and results[final.status]


def test_update_running_is_a_no_op_once_finished(store: ExportStore) -> None:
    record = make_record(status=ExportStatus.ABORTED)
    store.insert(record)
    assert not store.update_running(record.id, completed=5)
    assert not store.request_abort(record.id, "Aborted by alice.")
    unchanged = store.get(record.id)
    assert unchanged is not None and unchanged.completed == 0


def test_request_abort_sets_the_flag(store: ExportStore) -> None:
    record = make_record(status=ExportStatus.RUNNING)
    store.insert(record)
    assert not store.is_abort_requested(record.id)
    assert store.request_abort(record.id, "Aborted by alice.")
    assert store.is_abort_requested(record.id)


def test_pages_are_newest_first_and_per_owner(store: ExportStore) -> None:
    base = now_ms()
    mine = [make_record(created_ms=base + index) for index in range(5)]
    for record in [*mine, make_record(owner="bob")]:
        store.insert(record)
    first, total = store.page_for_owner("alice", 0, 2)
    last, _ = store.page_for_owner("alice", 2, 2)
    assert total == 5
    assert [r.id for r in first] == [mine[4].id, mine[3].id]
    assert [r.id for r in last] == [mine[0].id]
    assert store.page_for_owner("carol", 0, 10) == ([], 0)


def test_counts_and_finished_before(store: ExportStore) -> None:
    old = make_record(status=ExportStatus.SUCCESSFUL, created_ms=1000, finished_ms=2000)
    fresh = make_record(status=ExportStatus.FAILED, finished_ms=now_ms())
    queued = make_record(created_ms=1000)
    for record in (old, fresh, queued):
        store.insert(record)
    assert store.counts()[ExportStatus.QUEUED] == 1
    assert store.count_by_status(ExportStatus.QUEUED, "alice") == 1
    assert store.count_by_status(ExportStatus.QUEUED, "bob") == 0
    assert [r.id for r in store.finished_before(now_ms() - 60_000)] == [old.id]
    store.delete([old.id])
    assert store.get(old.id) is None


def test_any_with_status_tells_whether_one_export_is_in_it(store: ExportStore) -> None:
    assert not store.any_with_status(ExportStatus.QUEUED)
    running = make_record(status=ExportStatus.RUNNING)
    store.insert(running)
    assert store.any_with_status(ExportStatus.RUNNING)
    assert not store.any_with_status(ExportStatus.QUEUED)
    store.insert(make_record())
    assert store.any_with_status(ExportStatus.QUEUED)
