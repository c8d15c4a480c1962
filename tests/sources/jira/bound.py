"""Helpers of the tests that run exports as Jira-bound tokens: tokens made through the CLI
as a person makes them, exports run through the API and read back as keys."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from dwelltime.cli.app import app as cli
from dwelltime.cli.commands import register_all
from dwelltime.config import Settings

EXPORT = {"columnsBy": "statusDuration", "outputType": "CSV"}

register_all()  # `token create` is invoked without a command line to register it from


def make_token(settings: Settings, tmp_path: Path, *arguments: str) -> str:
    result = CliRunner().invoke(
        cli, ["token", "create", *arguments], env={"DWELLTIME_HOME": str(settings.home)}
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def secret_file(tmp_path: Path, secret: str) -> str:
    path = tmp_path / f"{secret}.txt"
    path.write_text(secret + "\n")
    return str(path)


def run_export(client: httpx.Client, token: str, **params: str) -> dict[str, Any]:
    headers = {"Authorization": f"TISJWT {token}"}
    started = client.post("/rest/export", params={**EXPORT, **params}, headers=headers)
    assert started.status_code == 200, started.text
    status: dict[str, Any] = client.get(
        f"/rest/export/{started.json()['exportId']}", headers=headers
    ).json()
    if status["status"] == "Successful":
        text = client.get(f"/rest/export/{status['exportId']}/download", headers=headers).text
        status["keys"] = [row["Key"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    return status
