"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dwelltime.config import Settings
from tests import topology
from tests.services.s3 import S3Server, moto_server

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "jira-samples"


def pytest_addoption(parser: pytest.Parser) -> None:
    topology.add_option(parser)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    topology.select(config, items)


@pytest.fixture
def jira_samples() -> Path:
    """The anonymised Jira data in ../shared (never copied into the repo)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real Jira samples not found at {SHARED_DATA} (../shared is absent)")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose home (database, files, key) is a fresh folder of this test."""
    return Settings(home=tmp_path / "home")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One moto S3 server for the session; each test makes its own bucket."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server
