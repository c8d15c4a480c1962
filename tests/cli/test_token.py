"""`dwelltime token create|list|revoke`: a capturable token, ids only, immediate revocation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dwelltime.cli.app import app
from dwelltime.config import Settings
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.tokens import TokenService, Unauthorized, load_secret


def _tokens(settings: Settings) -> TokenService:
    return TokenService(IssueStore.open(settings).engine, load_secret(settings))


def test_create_prints_only_a_working_token(settings: Settings) -> None:
    env = {"DWELLTIME_HOME": str(settings.home)}
    result = CliRunner().invoke(app, ["token", "create", "alice", "--expires-in", "2"], env=env)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == f"{token}\n" and token.count(".") == 2
    assert _tokens(settings).verify(token) == "alice"


def test_list_then_revoke(settings: Settings) -> None:
    env = {"DWELLTIME_HOME": str(settings.home)}
    token, info = _tokens(settings).create("bob")
    listed = CliRunner().invoke(app, ["token", "list"], env=env, terminal_width=200)
    assert info.id in listed.stdout and "bob" in listed.stdout
    assert token not in listed.stdout
    revoked = CliRunner().invoke(app, ["token", "revoke", info.id], env=env)
    assert revoked.exit_code == 0 and f"revoked {info.id} (bob)" in revoked.stdout
    with pytest.raises(Unauthorized, match="Unauthorized access"):
        _tokens(settings).verify(token)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["token", "revoke", "no-such-id"], "No token has the id", id="unknown-id"),
        pytest.param(["token", "create", " "], "non-empty user", id="blank-user"),
    ],
)
def test_errors_are_one_clear_line(settings: Settings, arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, arguments, env={"DWELLTIME_HOME": str(settings.home)})
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
