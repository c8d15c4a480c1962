"""The real `dwelltime` command misused as the hostile run did: every expected failure is
one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.pipeline import STAGING_PREFIX, sweep_staging
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.api.serve_process import DWELLTIME, dwelltime_env

REPORT = "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home: Path = tmp_path_factory.mktemp("misuse") / "home"
    write_demo(IssueStore.open(Settings(home=home)), 40)
    return home


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DWELLTIME), *args],
        env=dwelltime_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _fails_in_one_line(done: subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and text in errors[0], done.stderr


def test_report_into_a_missing_folder(home: Path) -> None:
    done = _run(home, "report", "--query", REPORT, "-o", "/nonexistent/dir/x.csv")
    _fails_in_one_line(done, "No such file or directory")


def test_report_into_a_read_only_folder(home: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes anywhere; a read-only mount is what the hostile run used
        target = Path("/proc/x.csv")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "x.csv"
    done = _run(home, "report", "--query", REPORT, "-o", str(target))
    _fails_in_one_line(done, str(target.parent))


def test_report_into_an_existing_folder_writes_inside_it(home: Path, tmp_path: Path) -> None:
    done = _run(home, "report", "--query", REPORT, "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    [written] = list(tmp_path.glob("statusDuration-PAY-*.csv"))
    assert written.read_text(encoding="utf-8-sig").startswith("Key,Summary")


def test_report_with_a_jql_too_wide_for_the_database(home: Path) -> None:
    jql = " OR ".join(f'summary ~ "x{i}"' for i in range(1_200))
    done = _run(
        home,
        "report",
        "--param",
        "filterType=customjql",
        "--param",
        f"customjql={jql}",
        "--param",
        "columnsBy=statusDuration",
        "--param",
        "outputType=CSV",
    )
    _fails_in_one_line(done, "more than 500 conditions")


def test_import_of_deeply_nested_json(home: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    done = _run(home, "import", str(deep))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "nested too deeply" in done.stderr


@pytest.mark.parametrize("days", ["1e10", "99999999"])
def test_token_lifetimes_are_bounded_at_creation(home: Path, days: str) -> None:
    done = _run(home, "token", "create", "x", "--expires-in", days)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    listing = _run(home, "token", "list")
    assert listing.returncode == 0, listing.stderr


def test_token_list_survives_a_token_from_before_the_bound(home: Path) -> None:
    engine = IssueStore.open(Settings(home=home)).engine
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO api_tokens (jti, user, created_ms, expires_ms) "
            "VALUES ('old-token', 'y', 0, 8640000000000000000)"
        )
    listing = _run(home, "token", "list")
    assert listing.returncode == 0, listing.stderr
    assert "old-token" in listing.stdout and "after 9999" in listing.stdout


def test_two_commands_at_once_on_a_new_home(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    commands = [("store", "stats"), ("token", "list"), ("store", "stats"), ("token", "list")]
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        results = list(pool.map(lambda args: _run(fresh, *args), commands))
    for done in results:
        assert done.returncode == 0, done.stderr


def test_staging_left_by_a_killed_process_is_swept(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    orphan = settings.staging_dir / f"{STAGING_PREFIX}999999999-abc"  # above any pid_max
    mine = settings.staging_dir / f"{STAGING_PREFIX}{os.getpid()}-def"
    for folder in (orphan, mine):
        folder.mkdir(parents=True)
        (folder / "cells-0.arrow").write_bytes(b"x")
    assert sweep_staging(settings.staging_dir) == [orphan]
    assert mine.is_dir() and not orphan.exists()
