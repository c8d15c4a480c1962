"""Injected faults over real HTTP: a full disk under export storage (tmpfs, root only) and
200 concurrent starts against the per-user queue cap."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dwelltime.api.app import create_app
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.records import ExportStore
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import TokenService, load_secret
from tests.api.envelope import assert_envelope
from tests.api.live_server import ThreadedServer
from tests.exports.fake_executor import RecordingExecutor

PROJECT = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}


def _needs(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the fault tests")
    pytest.skip(reason)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / f"tmpfs-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    if os.geteuid() != 0:
        _needs("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        _needs(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    """Write into `folder` until its file system refuses another byte."""
    with (folder / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65_536)
                filler.flush()
        except OSError:
            pass


@pytest.mark.parametrize("output_type", ["XLSX", "CSV"])
def test_a_full_disk_fails_once_with_the_true_message(
    tmp_path: Path, tmpfs: Path, output_type: str
) -> None:
    settings = Settings(home=tmp_path / "home", storage_url=f"file://{tmpfs}", batch_size=20)
    write_demo(IssueStore.open(settings), 150)
    token, _ = TokenService(IssueStore.open(settings).engine, load_secret(settings)).create("a")
    app = create_app(settings, InlineExecutor(settings))
    (tmpfs / "partial").mkdir(exist_ok=True)
    _fill(tmpfs)
    headers = {"Authorization": f"TISJWT {token}"}
    with ThreadedServer(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        started = client.post(
            "/rest/export", params={**PROJECT, "outputType": output_type}, headers=headers
        )
        assert started.status_code == 200, started.text
        export_id = started.json()["exportId"]
        status = client.get(f"/rest/export/{export_id}", headers=headers).json()
    assert status["status"] == "Failed"
    assert status["message"] == "The export failed: the disk holding export files is full."
    record = ExportStore(IssueStore.open(settings).engine).get(export_id)
    assert record is not None and record.attempts == 1
    assert list((tmpfs / "partial").iterdir()) == []


def test_the_queue_cap_holds_under_concurrent_starts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", max_queued_per_user=20)
    issue_store = IssueStore.open(settings)
    write_demo(issue_store, 30)
    token, _ = TokenService(issue_store.engine, load_secret(settings)).create("alice")
    # No free worker slot: every accepted export stays Queued.
    app = create_app(settings, RecordingExecutor(ExportStore(issue_store.engine), slots=0))
    headers = {"Authorization": f"TISJWT {token}"}
    with ThreadedServer(app) as url, httpx.Client(base_url=url, timeout=120) as client:

        def start(_: int) -> httpx.Response:
            return client.post(
                "/rest/export", params={**PROJECT, "outputType": "CSV"}, headers=headers
            )

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(start, range(200)))
        listing = client.get("/rest/export", headers=headers).json()
    accepted = [answer for answer in answers if answer.status_code == 200]
    refused = [answer for answer in answers if answer.status_code != 200]
    assert len(accepted) == 20 and listing["total"] == 20
    for answer in refused:
        body = assert_envelope(answer, 429, "Too many exports are waiting.")
        assert answer.headers["Retry-After"] == "10"
        assert body["messages"]
