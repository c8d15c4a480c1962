"""End to end over real HTTP against a real `dwelltime serve` process and its worker pool.

The whole flow for every outputType (compared with `dwelltime report` at the same `now`),
abort while running, a worker killed with -9, one stopped past the stale limit, a restart
with exports queued, and auth.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import openpyxl
import pytest
import xlrd

from dwelltime.config import Settings
from dwelltime.exports.problems import ALREADY_COMPLETED, NOT_DOWNLOADABLE, NOT_FOUND
from dwelltime.exports.records import ExportStore
from dwelltime.exports.status import ExportStatus
from dwelltime.params.model import OutputType
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import MISSING_TOKEN, TokenService, load_secret
from tests.api.envelope import assert_envelope
from tests.api.serve_process import DWELLTIME, ServeProcess, dwelltime_env

pytestmark = pytest.mark.integration

DEMO_ISSUES = 1000
POLL_DEADLINE_SECONDS = 120.0
#: Small batches make an export take a few seconds: observably Running, abortable, killable.
SERVE_SETTINGS = {
    "batch_size": "20",
    "workers": "2",
    "heartbeat_seconds": "0.5",
    "stale_after_seconds": "3",
}
BASE = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}
# The whole store (every project), so that an export of it runs long enough to catch.
SLOW = {**BASE, "filterType": "customjql", "customjql": "created is not empty", "outputType": "CSV"}
del SLOW["projectKey"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("serve") / "home"
    write_demo(IssueStore.open(Settings(home=home)), DEMO_ISSUES, projects=3)
    return home


@pytest.fixture(scope="module")
def settings(home: Path) -> Settings:
    return Settings(home=home)


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[ServeProcess]:
    with ServeProcess(home, home.parent / "serve.log", **SERVE_SETTINGS) as server:
        yield server


@pytest.fixture(scope="module")
def tokens(settings: Settings) -> TokenService:
    return TokenService(IssueStore.open(settings).engine, load_secret(settings))


def auth(tokens: TokenService, user: str) -> dict[str, str]:
    token, _ = tokens.create(user)
    return {"Authorization": f"TISJWT {token}"}


def start(server: ServeProcess, headers: dict[str, str], params: dict[str, str]) -> str:
    response = httpx.post(f"{server.url}/rest/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    export_id: str = response.json()["exportId"]
    return export_id


def poll(
    server: ServeProcess, headers: dict[str, str], export_id: str, until: set[str]
) -> dict[str, Any]:
    """The export's status once it is in one of `until` (fails after a deadline)."""
    deadline = time.monotonic() + POLL_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        body: dict[str, Any] = httpx.get(
            f"{server.url}/rest/export/{export_id}", headers=headers
        ).json()
        if body["status"] in until:
            return body
        time.sleep(0.05)
    raise AssertionError(f"export {export_id} never reached {until}: {body}")


def report_cli(
    home: Path, params: dict[str, str], now_ms: int, output: Path
) -> subprocess.Popen[bytes]:
    """Start `dwelltime report` for `params` at `now_ms`, writing `output`."""
    return subprocess.Popen(
        [
            *(str(DWELLTIME), "report", "--query", urlencode(params)),
            *("--now", str(now_ms), "--output", str(output)),
        ],
        env=dwelltime_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def workbook_values(path: Path, output_type: OutputType) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, by sheet name."""
    if output_type is OutputType.XLS:
        book = xlrd.open_workbook(str(path))
        return {
            sheet.name: [sheet.row_values(row) for row in range(sheet.nrows)]
            for sheet in book.sheets()
        }
    workbook = openpyxl.load_workbook(path, read_only=True)
    values = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return values


def test_every_output_type_end_to_end(
    server: ServeProcess, tokens: TokenService, settings: Settings, tmp_path: Path
) -> None:
    headers = auth(tokens, "alice")
    store = ExportStore(IssueStore.open(settings).engine)
    started = {
        output_type: start(server, headers, {**BASE, "outputType": output_type.value})
        for output_type in OutputType
    }
    # The reference files, computed by the report command at each export's `now`, in parallel.
    references = {}
    for output_type, export_id in started.items():
        record = store.get(export_id)
        assert record is not None
        path = tmp_path / f"report-{output_type.value}"
        params = {**BASE, "outputType": output_type.value}
        references[output_type] = (path, report_cli(settings.home, params, record.now_ms, path))
    listing = httpx.get(f"{server.url}/rest/export", headers=headers).json()
    assert {element["exportId"] for element in listing["elements"]} == set(started.values())
    for output_type, export_id in started.items():
        status = poll(server, headers, export_id, {"Successful", "Failed"})
        assert status["status"] == "Successful", status
        download = httpx.get(status["downloadLink"], headers=headers)
        assert download.status_code == 200
        extension = status["fileName"].rsplit(".", 1)[1]
        ours = tmp_path / f"served-{output_type.value}.{extension}"
        ours.write_bytes(download.content)
        theirs, process = references[output_type]
        _, errors = process.communicate(timeout=POLL_DEADLINE_SECONDS)
        assert process.returncode == 0, errors
        theirs = theirs.with_name(f"{theirs.name}.{extension}")
        if output_type in (OutputType.XLSX, OutputType.XLS):
            assert workbook_values(ours, output_type) == workbook_values(theirs, output_type)
        else:
            assert download.content == theirs.read_bytes(), output_type


def test_abort_while_running(server: ServeProcess, tokens: TokenService, home: Path) -> None:
    headers = auth(tokens, "abby")
    export_id = start(server, headers, SLOW)
    running = poll(server, headers, export_id, {"Running", "Successful", "Failed"})
    assert running["status"] == "Running"
    aborted = httpx.delete(f"{server.url}/rest/export/{export_id}", headers=headers, timeout=30)
    assert aborted.status_code == 200, aborted.text
    body = aborted.json()
    assert body["status"] == "Aborted" and "downloadLink" not in body
    assert 0 <= body["completed"] < body["total"] == DEMO_ISSUES
    assert not (home / "exports" / export_id).exists()
    assert list((home / "exports" / "partial").iterdir()) == []
    download = httpx.get(f"{server.url}/rest/export/{export_id}/download", headers=headers)
    assert_envelope(download, 404, NOT_DOWNLOADABLE, export_id)
    # The final record stays as DELETE returned it.
    time.sleep(0.5)
    assert httpx.get(f"{server.url}/rest/export/{export_id}", headers=headers).json() == body


def test_abort_after_success(server: ServeProcess, tokens: TokenService) -> None:
    headers = auth(tokens, "sam")
    export_id = start(server, headers, {**BASE, "outputType": "CSVSUM"})
    poll(server, headers, export_id, {"Successful"})
    response = httpx.delete(f"{server.url}/rest/export/{export_id}", headers=headers)
    assert_envelope(response, 404, ALREADY_COMPLETED, export_id)


def _signal_workers(
    server: ServeProcess, headers: dict[str, str], export_id: str, sig: signal.Signals
) -> list[int]:
    """Once `export_id` runs, send `sig` to every worker process of `server`; their pids."""
    poll(server, headers, export_id, {"Running"})
    pids = server.worker_pids()
    assert pids, "no worker process found"
    for pid in pids:
        os.kill(pid, sig)
    return pids


def test_killed_worker_is_retried_or_failed(server: ServeProcess, tokens: TokenService) -> None:
    headers = auth(tokens, "kim")
    export_id = start(server, headers, SLOW)
    _signal_workers(server, headers, export_id, signal.SIGKILL)
    final = poll(server, headers, export_id, {"Successful", "Failed"})
    if final["status"] == "Failed":
        assert "stopped unexpectedly" in final["message"]


def test_a_stopped_worker_is_not_taken_for_dead(
    server: ServeProcess, tokens: TokenService, settings: Settings
) -> None:
    """A worker that gets no CPU (stopped here, as a SCHED_IDLE job starved on a busy host
    would be) stays silent past the stale limit, yet it is alive: serve vouches for it,
    and its export goes on once it runs again, with no retry."""
    headers = auth(tokens, "stella")
    store = ExportStore(IssueStore.open(settings).engine)
    export_id = start(server, headers, SLOW)
    pids = _signal_workers(server, headers, export_id, signal.SIGSTOP)
    try:
        time.sleep(3 * float(SERVE_SETTINGS["stale_after_seconds"]))
        stopped = store.get(export_id)
        assert stopped is not None
        assert (stopped.status, stopped.attempts) == (ExportStatus.RUNNING, 1)
        assert server.worker_pids() == pids
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    final = poll(server, headers, export_id, {"Successful", "Failed"})
    assert final["status"] == "Successful", final
    finished = store.get(export_id)
    assert finished is not None and finished.attempts == 1


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param(None, MISSING_TOKEN, id="missing"),
        pytest.param("TISJWT not.a.token", "malformed", id="malformed"),
        pytest.param("expired", "expired", id="expired"),
        pytest.param("revoked", "revoked", id="revoked"),
    ],
)
def test_unauthorized_over_http(
    server: ServeProcess, tokens: TokenService, header: str | None, reason: str
) -> None:
    if header == "expired":
        token, _ = tokens.create("eve", timedelta(seconds=-1))
        header = f"Bearer {token}"
    elif header == "revoked":
        token, info = tokens.create("eve")
        tokens.revoke(info.id)
        header = f"Bearer {token}"
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{server.url}/rest/export", headers=headers)
    body = assert_envelope(response, 401, "Unauthorized access")
    assert reason in body["messages"][0]


def test_other_users_exports_are_invisible(server: ServeProcess, tokens: TokenService) -> None:
    owner, other = auth(tokens, "olga"), auth(tokens, "otto")
    export_id = start(server, owner, {**BASE, "outputType": "CSV"})
    poll(server, owner, export_id, {"Successful"})
    for method, suffix in (("GET", ""), ("GET", "/download"), ("DELETE", "")):
        response = httpx.request(
            method, f"{server.url}/rest/export/{export_id}{suffix}", headers=other
        )
        assert_envelope(response, 404, NOT_FOUND, export_id)
    assert httpx.get(f"{server.url}/rest/export", headers=other).json()["total"] == 0


def test_restart_resumes_queued_exports(tmp_path: Path) -> None:
    # A home of its own: the module's server must not pick up these exports.
    home = tmp_path / "home"
    settings = Settings(home=home)
    write_demo(IssueStore.open(settings), 300, projects=1)
    single = {**SERVE_SETTINGS, "workers": "1", "max_running_per_user": "1"}
    tokens = TokenService(IssueStore.open(settings).engine, load_secret(settings))
    headers = auth(tokens, "rita")
    store = ExportStore(IssueStore.open(settings).engine)
    with ServeProcess(home, tmp_path / "first.log", **single) as first:
        ids = [start(first, headers, SLOW) for _ in range(3)]
        poll(first, headers, ids[0], {"Running"})
    # Stopped with one export running and two queued: none may be left Running.
    records = [store.get(export_id) for export_id in ids]
    assert [r.status if r else None for r in records] == [ExportStatus.QUEUED] * 3
    with ServeProcess(home, tmp_path / "second.log", **{**single, "workers": "2"}) as second:
        for export_id in ids:
            final = poll(second, headers, export_id, {"Successful", "Failed", "Aborted"})
            assert final["status"] == "Successful", final
