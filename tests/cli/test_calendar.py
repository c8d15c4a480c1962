"""`dwelltime calendar import` / `calendar list` end to end on a temporary store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dwelltime.cli import commands  # noqa: F401  (registers the command groups)
from dwelltime.cli.app import app
from dwelltime.config import Settings

BERLIN = {
    "id": 10776,
    "name": "Berlin office",
    "timeZone": "Europe/Berlin",
    "workingTimes": [
        {"weekday": day, "start": 32_400_000, "end": 61_200_000}
        for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ],
    "holidays": [{"name": "Christmas", "date": "2026-12-25", "recurring": True}],
}
SHIFTS = {
    "name": "Support shifts",
    "timeZone": "Asia/Kolkata",
    "workingTimes": [
        {"weekday": "SATURDAY", "start": 0, "end": 27_000_000},
        {"weekday": "SATURDAY", "start": 27_000_000, "end": 36_000_000},
    ],
}


def run(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"DWELLTIME_HOME": str(settings.home)})


def write(tmp_path: Path, data: Any, name: str = "calendars.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_import_then_list(settings: Settings, tmp_path: Path) -> None:
    imported = run(settings, "calendar", "import", write(tmp_path, [BERLIN, SHIFTS]))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines() == [
        "imported calendar 10776: Berlin office",
        "imported calendar 10777: Support shifts",
    ]
    again = run(settings, "calendar", "import", write(tmp_path, BERLIN, "one.json"))
    assert again.stdout.splitlines() == ["replaced calendar 10776: Berlin office"]
    listed = run(settings, "calendar", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.replace("┃", "│").splitlines()
    rows = [line.split("│")[1:-1] for line in lines if "│" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["id", "name", "time zone", "weekly hours", "holidays"],
        ["10776", "Berlin office", "Europe/Berlin", "40", "1"],
        ["10777", "Support shifts", "Asia/Kolkata", "10", "0"],
    ]


def test_list_of_an_empty_store(settings: Settings) -> None:
    listed = run(settings, "calendar", "list")
    assert listed.exit_code == 0
    assert "No calendars stored" in listed.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            [BERLIN, {**SHIFTS, "timeZone": "Asia/Calcuta"}],
            "calendars.json[1].timeZone: unknown time zone 'Asia/Calcuta'",
            id="bad-zone-in-second-calendar",
        ),
        pytest.param("{not json", "not JSON text", id="not-json"),
        pytest.param([], "the array holds no calendar", id="empty-array"),
    ],
)
def test_a_bad_file_is_rejected_and_nothing_stored(
    settings: Settings, tmp_path: Path, content: Any, expected: str
) -> None:
    result = run(settings, "calendar", "import", write(tmp_path, content))
    assert result.exit_code == 1
    assert "rejected" in result.stderr and expected in result.stderr
    assert result.stdout == ""
    assert "No calendars stored" in run(settings, "calendar", "list").stdout


def test_a_missing_file_is_rejected(settings: Settings, tmp_path: Path) -> None:
    result = run(settings, "calendar", "import", str(tmp_path / "absent.json"))
    assert result.exit_code == 1
    assert "cannot be read (No such file or directory)" in result.stderr


def test_import_takes_timepiece_get_calendar_json(settings: Settings, tmp_path: Path) -> None:
    """What Timepiece's GET /rest/calendar answers: extra fields and `25/Dec/25` dates."""
    timepiece = {
        **BERLIN,
        "clientKey": "ffa2107c",
        "isDefault": False,
        "dailyWorkingHours": 8.0,
        "holidays": [{"name": "Christmas", "date": "25/Dec/25", "recurring": True}],
    }
    imported = run(settings, "calendar", "import", write(tmp_path, [timepiece]))
    assert imported.exit_code == 0, imported.output
    assert "imported calendar 10776: Berlin office" in imported.stdout
