"""The time budget over a real `dwelltime serve` (SPEC §8.1): a synchronous report of
100,000 demo issues with a 0.2 s budget answers 408 advising an export, and nothing of its
work is left running (the serve's own gauge says so)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import TokenService, load_secret
from tests.api.envelope import assert_envelope
from tests.api.serve_process import ServeProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ISSUES = 100_000
EVERYTHING = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("budget") / "home"
    write_demo(IssueStore.open(Settings(home=home)), ISSUES, projects=3)
    return home


def _client(home: Path, budget: str) -> Iterator[httpx.Client]:
    settings = Settings(home=home)
    token, _ = TokenService(IssueStore.open(settings).engine, load_secret(settings)).create("bea")
    log = home.parent / f"serve-{budget}.log"
    with (
        ServeProcess(home, log, sync_budget_seconds=budget) as serve,
        httpx.Client(
            base_url=serve.url, timeout=300, headers={"Authorization": f"TISJWT {token}"}
        ) as client,
    ):
        yield client


def _running(client: httpx.Client) -> float:
    metrics = client.get("/metrics").text
    match = re.search(r"^dwelltime_sync_reports_running (\S+)$", metrics, re.MULTILINE)
    assert match is not None, metrics
    return float(match[1])


@pytest.fixture
def client(home: Path) -> Iterator[httpx.Client]:
    """A serve whose synchronous calls have 0.2 s: a report of all 100,000 issues takes
    about a second of CPU on this project's machine (a whole second left it finishing in
    time on a quiet one)."""
    yield from _client(home, "0.2")


@pytest.fixture
def patient_client(home: Path) -> Iterator[httpx.Client]:
    """A serve with the default budget: the machine may be loaded, the page must not fail."""
    yield from _client(home, "60")


def test_past_the_budget_is_408_and_the_work_is_cancelled(client: httpx.Client) -> None:
    params = {**EVERYTHING, "aggregationType": "average"}
    response = client.get("/rest/aggregation", params=params)
    body = assert_envelope(response, 408)
    assert "POST /rest/export" in body["message"]
    stopped = re.search(r"Stopped after ([\d,]+) of ([\d,]+) issues", body["messages"][0])
    assert stopped is not None, body
    done, total = (int(group.replace(",", "")) for group in stopped.groups())
    assert total == ISSUES and done < total
    assert _running(client) == 0


def test_a_deep_page_of_the_same_store_answers(patient_client: httpx.Client) -> None:
    params = {**EVERYTHING, "pageSize": "100", "startIssueIndex": str(ISSUES - 150)}
    page = patient_client.get("/rest/issues", params=params)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == ISSUES and len(body["table"]["body"]["rows"]) == 100
