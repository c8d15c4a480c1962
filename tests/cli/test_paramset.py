"""`dwelltime paramset`: saved sets that paramSetId names, used by reports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from dwelltime.cli import commands  # noqa: F401  (registers the commands)
from dwelltime.cli.app import app
from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"DWELLTIME_HOME": str(settings.home)})
    return result.exit_code, result.output


def test_a_saved_set_fills_a_report_and_explicit_parameters_win(
    settings: Settings, tmp_path: Path
) -> None:
    write_demo(IssueStore.open(settings), 20, projects=1)
    query = "filterType=project&projectKey=PAY&columnsBy=statusCount&outputType=CSV"
    code, output = _run(settings, "paramset", "save", "7", "--name", "PAY counts", "--query", query)
    assert code == 0, output
    code, output = _run(settings, "paramset", "list")
    assert "PAY counts" in output and "projectKey=PAY" in output

    target = tmp_path / "out.csv"
    code, output = _run(
        settings, "report", "-p", "paramSetId=7", "-p", "outputType=CSV", "-o", str(target)
    )
    assert code == 0, output
    assert "statusCount: 20 issues" in output
    header = next(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert header[:2] == ["Key", "Summary"]


def test_unknown_names_are_refused_and_nothing_is_saved(settings: Settings) -> None:
    code, output = _run(
        settings, "paramset", "save", "1", "--name", "typo", "--query", "columsBy=statusCount"
    )
    assert code == 2
    assert "columsBy: not a report parameter" in output
    assert IssueStore.open(settings).param_sets() == []


def test_delete(settings: Settings) -> None:
    _run(settings, "paramset", "save", "1", "--name", "n", "-p", "viewFormat=days")
    assert _run(settings, "paramset", "delete", "1")[0] == 0
    code, output = _run(settings, "paramset", "delete", "1")
    assert code == 1 and "no parameter set 1" in output


def test_a_set_with_an_owner_can_be_private_and_one_without_is_public(
    settings: Settings,
) -> None:
    code, output = _run(
        settings,
        "paramset",
        "save",
        "8",
        "--name",
        "mine",
        "--owner",
        "alice",
        "--private",
        "-p",
        "viewFormat=days",
    )
    assert code == 0 and "private to alice" in output
    code, output = _run(settings, "paramset", "save", "9", "--name", "all", "-p", "viewFormat=days")
    assert code == 0 and "public" in output
    saved = {s.id: s for s in IssueStore.open(settings).param_sets()}
    assert (saved["8"].owner, saved["8"].public) == ("alice", False)
    assert (saved["9"].owner, saved["9"].public) == (None, True)
