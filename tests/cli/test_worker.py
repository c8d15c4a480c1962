"""`dwelltime worker`: what it prepares before its pool of job processes forks."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery import Celery
from typer.testing import CliRunner

import dwelltime.cli.worker as worker_command
from dwelltime.cli.app import app
from dwelltime.jql import parser


def test_the_worker_builds_the_jql_parser_before_its_pool_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool's processes inherit the parser instead of each building its own on its
    first export (a split export's planner and each worker's first chunk waited for it)."""
    parser._parser.cache_clear()
    built_at_start: list[int] = []

    def started(self: Celery, argv: list[str]) -> None:
        built_at_start.append(parser._parser.cache_info().currsize)

    monkeypatch.setattr(Celery, "worker_main", started)
    # Logging set up here would write to the runner's stream, closed once it returns, for
    # every later test that logs.
    monkeypatch.setattr(worker_command, "configure_logging", lambda: None)
    result = CliRunner().invoke(
        app,
        ["worker", "--concurrency", "2"],
        env={
            "DWELLTIME_HOME": str(tmp_path / "home"),
            "DWELLTIME_EXECUTOR": "celery",
            "DWELLTIME_BROKER_URL": "redis://127.0.0.1:1/0",
        },
    )
    assert result.exit_code == 0, result.output
    assert built_at_start == [1]
