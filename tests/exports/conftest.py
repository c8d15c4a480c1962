"""Fixtures of the export tests: a migrated database, its ExportStore, local storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.exports.storage import LocalStorage
from tests.services.cluster import demo_database
from tests.services.s3 import S3Server
from tests.sources.store.postgresql import temporary_postgresql

#: Demo issues of the shared PostgreSQL store of the distributed tests.
DEMO_ISSUES = 1200
#: The whole store is split into three chunks of 400 issues (8 batches of 50 each).
CHUNK_ISSUES = 400


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


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    with temporary_postgresql() as url:
        yield url


@pytest.fixture(scope="session")
def shared_settings(
    database: str, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    demo_database(database, tmp_path_factory.mktemp("demo"), DEMO_ISSUES)
    return {
        "database_url": database,
        "chunk_issues": str(CHUNK_ISSUES),
        **s3_server.settings(s3_server.new_bucket()),
    }
