"""The atomic queue cap on PostgreSQL, whose driver reports no row count for INSERT … SELECT."""

from __future__ import annotations

import pytest

from dwelltime import db
from dwelltime.exports.records import ExportStore
from tests.exports.factories import make_record
from tests.sources.store.postgresql import temporary_postgresql


@pytest.mark.integration
def test_the_queue_cap_admits_up_to_the_limit_on_postgresql() -> None:
    with temporary_postgresql() as url:
        db.upgrade(url)
        engine = db.create_db_engine(url)
        try:
            store = ExportStore(engine)
            admitted = [store.insert_if_room(make_record(), max_queued=2) for _ in range(3)]
            other = store.insert_if_room(make_record(owner="bob"), max_queued=2)
        finally:
            engine.dispose()
    assert admitted == [True, True, False]
    assert other
