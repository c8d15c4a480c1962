"""`dwelltime export …` as a user runs it: subprocesses against a real `dwelltime serve`.

The whole flow (start --wait, status, list, download), abort (by command and by Ctrl-C),
refused parameters, a bad token and a server that is not there, each with its exit code.
"""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dwelltime.cli.export_client import ExitCode
from tests.api.serve_process import (
    DWELLTIME,
    ServeProcess,
    create_token,
    demo_home,
    dwelltime_env,
    free_port,
)

pytestmark = pytest.mark.integration

DEMO_ISSUES = 1000
QUERY = "filterType=project&projectKey=PAY&columnsBy=statusDuration"
#: Every issue in 2-issue batches: long enough to be caught Running and aborted.
SLOW = "filterType=customjql&customjql=created is not empty&columnsBy=statusCount&outputType=CSV"
DEADLINE_SECONDS = 60.0


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_home(tmp_path_factory.mktemp("export-cli"), DEMO_ISSUES)


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[ServeProcess]:
    with ServeProcess(home, home.parent / "serve.log", batch_size="2", workers="2") as server:
        yield server


@pytest.fixture(scope="module")
def token(home: Path) -> str:
    return create_token(home, "cli")


def cli(
    home: Path, url: str, token: str | None, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dwelltime_env(home, url=url, **({"token": token} if token else {}))
    return subprocess.run(
        [str(DWELLTIME), "export", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        cwd=cwd,
        check=False,
    )


def status_of(server: ServeProcess, token: str, export_id: str) -> dict[str, object]:
    response = httpx.get(
        f"{server.url}/rest/export/{export_id}", headers={"Authorization": f"TISJWT {token}"}
    )
    body: dict[str, object] = response.json()
    return body


def wait_running(server: ServeProcess, token: str, export_id: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while status_of(server, token, export_id)["status"] == "Queued":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert status_of(server, token, export_id)["status"] == "Running"


def test_whole_flow(home: Path, server: ServeProcess, token: str, tmp_path: Path) -> None:
    target = tmp_path / "durations.csv"
    started = cli(
        home,
        server.url,
        token,
        *("start", "--query", QUERY, "-p", "outputType=CSV", "--wait", "-o", str(target)),
    )
    assert started.returncode == ExitCode.OK, started.stderr
    export_id = started.stdout.strip()
    assert len(export_id) == 36
    assert f"→ {target}" in started.stderr
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert rows[0][:2] == ["Key", "Summary"]
    assert len(rows) - 1 == status_of(server, token, export_id)["total"]
    assert all(row[0].startswith("PAY-") for row in rows[1:])

    shown = cli(home, server.url, token, "status", export_id)
    assert shown.returncode == ExitCode.OK
    assert shown.stdout.split()[:2] == [export_id, "Successful"]

    listed = cli(home, server.url, token, "list", "--json")
    assert listed.returncode == ExitCode.OK
    assert export_id in listed.stdout

    again = cli(home, server.url, token, "download", export_id, cwd=tmp_path)
    assert again.returncode == ExitCode.OK, again.stderr
    (fetched,) = [p for p in tmp_path.iterdir() if p.name.endswith(".csv") and p != target]
    assert fetched.read_bytes() == target.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_abort_command(home: Path, server: ServeProcess, token: str) -> None:
    started = cli(home, server.url, token, "start", "--query", SLOW)
    assert started.returncode == ExitCode.OK, started.stderr
    export_id = started.stdout.strip()
    aborted = cli(home, server.url, token, "abort", export_id)
    assert aborted.returncode == ExitCode.OK, aborted.stderr
    assert aborted.stdout.split()[1] == "Aborted"
    shown = cli(home, server.url, token, "status", export_id)
    assert shown.returncode == ExitCode.ABORTED
    fetched = cli(home, server.url, token, "download", export_id)
    assert fetched.returncode == ExitCode.NOT_FOUND
    assert "failed or is aborted" in fetched.stderr


def interrupted_wait(
    home: Path, server: ServeProcess, token: str, answer: str, cwd: Path | None = None
) -> tuple[str, int, str]:
    """`start --wait`, Ctrl-C once the export runs, `answer` to the question: the export id,
    the exit code and stderr."""
    process = subprocess.Popen(
        [str(DWELLTIME), "export", "start", "--query", SLOW, "--wait", "--interval", "0.05"],
        env=dwelltime_env(home, url=server.url, token=token),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    assert process.stdout is not None
    export_id = process.stdout.readline().strip()
    wait_running(server, token, export_id)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(answer, timeout=DEADLINE_SECONDS)
    return export_id, process.returncode, stderr


def test_ctrl_c_offers_to_abort(
    home: Path, server: ServeProcess, token: str, tmp_path: Path
) -> None:
    export_id, code, stderr = interrupted_wait(home, server, token, "y\n", cwd=tmp_path)
    assert code == ExitCode.ABORTED, stderr
    assert f"Abort export {export_id} on the server?" in stderr
    assert status_of(server, token, export_id)["status"] == "Aborted"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_can_leave_it_running(home: Path, server: ServeProcess, token: str) -> None:
    export_id, code, stderr = interrupted_wait(home, server, token, "n\n")
    assert code == 130, stderr
    assert f"dwelltime export status {export_id}" in stderr
    assert status_of(server, token, export_id)["status"] in {"Running", "Successful"}
    cli(home, server.url, token, "abort", export_id)


def test_refused_parameters(home: Path, server: ServeProcess, token: str) -> None:
    result = cli(
        home,
        server.url,
        token,
        "start",
        "--query",
        QUERY,
        "-p",
        "outputType=CSV",
        "-p",
        "startDate=2026-13-45",
    )
    assert result.returncode == ExitCode.BAD_PARAMETERS
    assert "Invalid parameters." in result.stderr
    assert "startDate" in result.stderr
    assert result.stdout == ""
    malformed = cli(home, server.url, token, "start", "-p", "no-equals-sign")
    assert malformed.returncode == ExitCode.BAD_PARAMETERS
    assert "expected name=value" in malformed.stderr


def test_bad_or_missing_token(home: Path, server: ServeProcess) -> None:
    bad = cli(home, server.url, "not-a-token", "list")
    assert bad.returncode == ExitCode.UNAUTHORIZED
    assert "Unauthorized access" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = cli(home, server.url, None, "list")
    assert missing.returncode == ExitCode.UNAUTHORIZED
    assert "DWELLTIME_TOKEN" in missing.stderr


def test_server_down(home: Path, token: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = cli(home, url, token, "start", "--query", QUERY, "-p", "outputType=CSV")
    assert result.returncode == ExitCode.SERVER
    assert f"Cannot reach the dwelltime server at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_export(home: Path, server: ServeProcess, token: str) -> None:
    result = cli(home, server.url, token, "status", "00000000-0000-0000-0000-000000000000")
    assert result.returncode == ExitCode.NOT_FOUND
    assert "could not be found" in result.stderr


def test_serve_prints_the_page_and_a_client_command(home: Path, server: ServeProcess) -> None:
    log = (home.parent / "serve.log").read_text()
    assert f"Open the page {server.url}/ and sign in with it" in log
    assert f"DWELLTIME_URL={server.url} DWELLTIME_TOKEN=" in log
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200
    assert 'src="/static/app.js"' in page.text
