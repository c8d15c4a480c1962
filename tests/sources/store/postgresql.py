"""A throwaway PostgreSQL database on the local server, for tests marked `integration`.

The server is found through DWELLTIME_TEST_POSTGRES_URL (an admin URL), else the
machine's server on 127.0.0.1:5432 (trust auth). The test is skipped with the reason when
it does not answer, except under CI (CI=true), where the service must be there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

_ADMIN_URL = os.environ.get(
    "DWELLTIME_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def temporary_postgresql() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    admin = sa.create_engine(_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"dwelltime_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"no PostgreSQL server to test against ({error.orig})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
