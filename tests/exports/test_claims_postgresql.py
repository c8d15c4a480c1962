"""Claims on PostgreSQL from many threads at once: one export is claimed by exactly one,
the per-user running cap holds, one unit is claimed under exactly one token, and one API
server at a time hands out jobs."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import LocalStorage
from dwelltime.exports.units import UnitStore
from tests.exports.factories import make_record
from tests.exports.fake_executor import RecordingExecutor
from tests.sources.store.postgresql import temporary_postgresql

pytestmark = pytest.mark.integration

CONTENDERS = 8


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[sa.Engine]:
    with temporary_postgresql() as url:
        db.upgrade(url)
        engine = db.create_db_engine(url)
        yield engine
        engine.dispose()


def _race(attempt: Callable[[int], bool]) -> list[int]:
    """Run `attempt(i)` for every contender at the same instant; the ones that won."""
    barrier = threading.Barrier(CONTENDERS)
    won: list[int] = []

    def contend(i: int) -> None:
        barrier.wait()
        if attempt(i):
            won.append(i)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


def test_one_export_is_claimed_once(pg_engine: sa.Engine) -> None:
    store = ExportStore(pg_engine)
    record = make_record(owner=f"u-{uuid.uuid4().hex[:6]}")
    store.insert(record)
    assert len(_race(lambda _: store.claim(record.id, record.owner, cap=CONTENDERS))) == 1


def test_the_running_cap_holds_across_claimers(pg_engine: sa.Engine) -> None:
    store = ExportStore(pg_engine)
    owner = f"u-{uuid.uuid4().hex[:6]}"
    records = [make_record(owner=owner) for _ in range(CONTENDERS)]
    for record in records:
        store.insert(record)
    won = _race(lambda i: store.claim(records[i].id, owner, cap=2))
    assert len(won) == 2
    assert store.count_by_status(ExportStatus.RUNNING, owner) == 2


def test_one_unit_is_claimed_under_one_token(pg_engine: sa.Engine) -> None:
    store = ExportStore(pg_engine)
    units = UnitStore(pg_engine)
    record = make_record(owner=f"u-{uuid.uuid4().hex[:6]}")
    store.insert(record)
    units.plan(record.id, record.owner, [(0, 10), (10, 20)])
    tokens = [str(uuid.uuid4()) for _ in range(CONTENDERS)]
    won = _race(lambda i: units.claim(record.id, 0, tokens[i]))
    assert len(won) == 1
    unit = units.get(record.id, 0)
    assert unit is not None and unit.token == tokens[won[0]]
    assert [run.token for run in units.runs(record.id)] == [tokens[won[0]]]
    # The merge cannot be claimed while a chunk is not done.
    assert not units.claim(record.id, 2, str(uuid.uuid4()))


def test_one_api_server_dispatches_at_a_time(pg_engine: sa.Engine, tmp_path: Path) -> None:
    store = ExportStore(pg_engine)
    record = make_record(owner=f"u-{uuid.uuid4().hex[:6]}")
    store.insert(record)
    executor = RecordingExecutor(store, slots=CONTENDERS * 4)  # room for earlier tests' too
    scheduler = Scheduler(store, LocalStorage(tmp_path), executor, Settings(home=tmp_path))
    # Another server is counting its free slots and marking jobs: this one waits its turn,
    # or both would fill the same free slots.
    with ExportStore(pg_engine).dispatch_turn() as turn:
        assert turn
        scheduler.tick()
        assert executor.submitted == []
    scheduler.tick()
    assert record.id in executor.submitted
