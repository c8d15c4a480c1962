"""A fake Jira served over real HTTP for each test, and credentials for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dwelltime.api.app import create_app
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.sources.jira.credentials import JiraCredentials
from tests.api.live_server import ThreadedServer
from tests.sources.jira.bound import make_token, secret_file
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import make_issues

ALICE_EMAIL = "alice@example.com"


@pytest.fixture
def fake() -> FakeJira:
    """Issues of ALPHA and BETA; Alice sees both (Cloud token), Bob only BETA (a PAT)."""
    jira = FakeJira(make_issues(30))
    jira.grant("alice", {"ALPHA", "BETA"}, email=ALICE_EMAIL)
    jira.grant("bob", {"BETA"})
    return jira


@pytest.fixture
def site_url(fake: FakeJira) -> Iterator[str]:
    with ThreadedServer(fake.app()) as url:
        yield url


@pytest.fixture
def jira_settings(tmp_path: Path) -> Settings:
    # A generous budget: these tests are about results and request counts, not pacing.
    return Settings(home=tmp_path / "home", jira_requests_per_second=1000.0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A service home whose Jira requests fail fast (two attempts) and are not paced."""
    return Settings(home=tmp_path / "home", jira_requests_per_second=1000.0, jira_attempts=2)


@pytest.fixture
def service(settings: Settings) -> Iterator[httpx.Client]:
    """The export API over `settings`, each export run inside its POST."""
    with (
        ThreadedServer(create_app(settings, InlineExecutor(settings))) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        yield client


@pytest.fixture
def alice_token(settings: Settings, tmp_path: Path, site_url: str) -> str:
    secret = secret_file(tmp_path, "token-alice")
    return make_token(
        settings, tmp_path, "alice", "--jira-url", site_url, "--jira-email", ALICE_EMAIL,
        "--jira-token-file", secret,
    )  # fmt: skip


@pytest.fixture
def bob_token(settings: Settings, tmp_path: Path, site_url: str) -> str:
    secret = secret_file(tmp_path, "token-bob")
    return make_token(settings, tmp_path, "bob", "--jira-url", site_url, "--jira-pat-file", secret)


def alice(site_url: str) -> JiraCredentials:
    return JiraCredentials(site_url, "cloud", ALICE_EMAIL, "token-alice")


def bob(site_url: str) -> JiraCredentials:
    return JiraCredentials(site_url, "datacenter", None, "token-bob")
