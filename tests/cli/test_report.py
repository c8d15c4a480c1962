"""`dwelltime report`: parameters from --query and --param, --now, output names, errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from dwelltime.cli.app import app
from dwelltime.cli.report import output_path, parse_now, raw_parameters
from dwelltime.config import Settings
from dwelltime.errors import InvalidParameters
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.engine.reference.issues import at

QUERY = "filterType=project&projectKey=PAY&columnsBy=statusCount&outputType=CSV&viewFormat=days"


@pytest.fixture
def home(settings: Settings) -> dict[str, str]:
    write_demo(IssueStore.open(settings), 30, projects=1)
    return {"DWELLTIME_HOME": str(settings.home)}


def test_report_writes_the_file(home: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "counts"
    result = CliRunner().invoke(
        app,
        [
            *("report", "--query", QUERY, "-p", "columnsBy=statusDuration"),
            *("--now", "2026-11-01 00:00", "-o", str(target)),
        ],
        env=home,
    )
    assert result.exit_code == 0, result.output
    assert "now: 2026-11-01T00:00:00Z" in result.stdout
    rows = list(csv.reader(io.StringIO((tmp_path / "counts.csv").read_text("utf-8-sig"))))
    assert rows[0][:2] == ["Key", "Summary"]
    assert len(rows) == 31
    assert "30 issues, 30 rows" in result.stdout


def test_bad_parameters_exit_2_with_every_message(home: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "never.csv"
    result = CliRunner().invoke(
        app,
        [
            *("report", "-p", "filterType=project", "-p", "columnsBy=nope"),
            *("-p", "viewFormat=x", "-o", str(target)),
        ],
        env=home,
    )
    assert result.exit_code == 2
    for name in ("projectKey", "columnsBy", "outputType", "viewFormat"):
        assert name in result.stderr
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_raw_parameters_param_wins_over_query() -> None:
    raw = raw_parameters("a=1&b=2&b=3&c=", ["b=4", "d=5", "d=6"])
    assert raw == {"a": ["1"], "b": ["4"], "c": [""], "d": ["5", "6"]}
    with pytest.raises(InvalidParameters) as refused:
        raw_parameters(None, ["novalue"])
    assert refused.value.messages == ["--param 'novalue': expected name=value"]


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        pytest.param("1800000000000", "UTC", 1_800_000_000_000, id="epoch-ms"),
        pytest.param("2026-11-02 10:00", "UTC", at("2026-11-02 10:00"), id="wall-utc"),
        pytest.param(
            "2026-11-02 10:00", "Europe/Berlin", at("2026-11-02 10:00", "Europe/Berlin"), id="zone"
        ),
        pytest.param("2026-11-02T10:00:00+02:00", "UTC", at("2026-11-02 08:00"), id="iso"),
    ],
)
def test_parse_now(text: str, zone: str, expected: int) -> None:
    assert parse_now(text, ZoneInfo(zone)) == expected


def test_parse_now_refuses_nonsense() -> None:
    with pytest.raises(InvalidParameters) as refused:
        parse_now("yesterday", ZoneInfo("UTC"))
    assert "--now" in (refused.value.messages or [""])[0]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("out", "out.xlsx", id="extension-added"),
        pytest.param("out.data", "out.data", id="extension-kept"),
    ],
)
def test_output_path(given: str, expected: str) -> None:
    assert output_path(Path(given), "xlsx", "default.xlsx") == Path(expected)
    assert output_path(None, "xlsx", "default.xlsx") == Path("default.xlsx")
