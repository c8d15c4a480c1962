"""`dwelltime import` and `dwelltime store stats` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dwelltime.cli.app import app
from dwelltime.config import Settings
from tests.sources.issue_factory import jira_issue


@pytest.fixture
def run(settings: Settings) -> CliRunner:
    return CliRunner(env={"DWELLTIME_HOME": str(settings.home)})


def test_import_prints_counts_per_file_and_total(run: CliRunner, jira_samples: Path) -> None:
    devlake = jira_samples / "devlake"
    result = run.invoke(
        app, ["import", str(devlake / "search.json"), "--statuses", str(devlake / "status.json")]
    )
    assert result.exit_code == 0, result.output
    assert "33 issues, 522 histories, 165 status changes" in result.stdout
    assert "53 statuses" in result.stdout
    assert "total: 33 issues, 522 histories, 165 status changes, 53 statuses" in result.stdout
    assert "no status catalog" not in result.stderr


def test_rejected_file_exits_non_zero_and_others_import(run: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"issues": [', encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(jira_issue(1, "AB-1", total=5)), encoding="utf-8")
    result = run.invoke(app, ["import", str(bad), str(good)])
    assert result.exit_code == 1
    assert f"rejected {bad}: not valid JSON at byte 12" in result.stderr
    assert "1 of 5 histories" in result.stderr
    assert "total: 1 issues, 1 histories, 1 status changes" in result.stdout
    assert "1 file(s) rejected" in result.stderr
    assert "no status catalog" in result.stderr


def test_store_stats(run: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps([jira_issue(1, "AB-1"), jira_issue(2, "AB-2")]), encoding="utf-8")
    run.invoke(app, ["import", str(good)])
    result = run.invoke(app, ["store", "stats"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("issues" in line and line.rstrip(" │").endswith(" 2") for line in lines)
    assert any("AB" in line and "Project" in line for line in lines)
    assert "2024-01-02 02:00 UTC" in result.stdout
