"""The API over a small demo store, served in this process by uvicorn on a free port, with
an inline executor (each export finishes inside its POST); under `--topology=distributed`
the export-service suite's client is the scaled-out cluster of `distributed_api` instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from dwelltime.api.app import create_app
from dwelltime.api.deps import Services
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.api.distributed_api import ServedApi, distributed_api
from tests.api.live_server import ThreadedServer
from tests.topology import DISTRIBUTED

DEMO_ISSUES = 150
BATCH_SIZE = 50


@dataclass(frozen=True, slots=True)
class User:
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"TISJWT {self.token}"}


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("api") / "home", batch_size=BATCH_SIZE)
    write_demo(IssueStore.open(settings), DEMO_ISSUES)
    return settings


@pytest.fixture(scope="session")
def app(api_settings: Settings) -> FastAPI:
    return create_app(api_settings, InlineExecutor(api_settings))


@pytest.fixture(scope="session")
def served_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApi]:
    """The API of the chosen topology (the in-process app is built only when needed)."""
    if request.config.getoption("topology") == DISTRIBUTED:
        s3_server = request.getfixturevalue("s3_server")
        folder = tmp_path_factory.mktemp("distributed")
        with distributed_api(folder, s3_server, DEMO_ISSUES, BATCH_SIZE) as served:
            yield served
        return
    app: FastAPI = request.getfixturevalue("app")
    with ThreadedServer(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield ServedApi(client, app.state.services)


@pytest.fixture(scope="session")
def client(served_api: ServedApi) -> httpx.Client:
    return served_api.client


@pytest.fixture
def services(served_api: ServedApi) -> Services:
    return served_api.services


def new_user(services: Services, prefix: str = "user", *, admin: bool = False) -> User:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    token, _ = services.tokens.create(name, admin=admin)
    return User(name, token)


@pytest.fixture
def alice(services: Services) -> User:
    return new_user(services, "alice")


@pytest.fixture
def bob(services: Services) -> User:
    return new_user(services, "bob")


@pytest.fixture
def admin(services: Services) -> User:
    return new_user(services, "admin", admin=True)
