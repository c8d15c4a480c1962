"""Fixtures of the export tests: a migrated database, its ExportStore, local storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.exports.storage import LocalStorage


@pytest.fixture
def engine(settings: Settings) -> Iterator[sa.Engine]:
    db.upgrade(settings.resolved_database_url)
    engine = db.create_db_engine(settings.resolved_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> ExportStore:
    return ExportStore(engine)


@pytest.fixture
def storage(settings: Settings) -> LocalStorage:
    return LocalStorage(settings.home / "exports")
