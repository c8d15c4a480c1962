"""Exports of tokens bound to Jira credentials: Jira's permissions decide the selection,
credentials stay out of records, errors and the database, unbound tokens read the store."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import structlog
import structlog.testing
from typer.testing import CliRunner, Result

from dwelltime.cli import commands  # noqa: F401  (registers the commands)
from dwelltime.cli.app import app as cli
from dwelltime.config import Settings
from dwelltime.exports.records import exports
from dwelltime.sources.jira.tables import token_sites
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.jira.bound import EXPORT, make_token, run_export, secret_file
from tests.sources.jira.conftest import ALICE_EMAIL
from tests.sources.jira.fake_jira import FakeJira, Fault

SECRETS = ("token-alice", "token-bob")


def test_each_user_exports_only_what_their_credentials_see(
    service: httpx.Client, alice_token: str, bob_token: str, fake: FakeJira
) -> None:
    both = {"filterType": "customjql", "customjql": "project in (ALPHA, BETA)"}
    alices = run_export(service, alice_token, **both)
    assert alices["status"] == "Successful", alices
    assert {key.split("-")[0] for key in alices["keys"]} == {"ALPHA", "BETA"}
    # ALPHA is in the store now (Alice's export mirrored it), yet Jira decides Bob's view.
    bobs = run_export(service, bob_token, **both)
    assert bobs["status"] == "Successful", bobs
    assert bobs["keys"] and {key.split("-")[0] for key in bobs["keys"]} == {"BETA"}
    assert bobs["total"] == len(bobs["keys"]) == 15
    nothing = run_export(service, bob_token, filterType="project", projectKey="ALPHA")
    assert nothing["status"] == "Successful" and nothing["keys"] == []


def test_a_token_without_jira_reads_the_local_store(
    service: httpx.Client, settings: Settings, tmp_path: Path, alice_token: str, fake: FakeJira
) -> None:
    assert run_export(service, alice_token, filterType="project", projectKey="BETA")["keys"]
    asked = len(fake.requests)
    local = make_token(settings, tmp_path, "carol")
    result = run_export(service, local, filterType="project", projectKey="BETA")
    assert result["status"] == "Successful"
    assert len(result["keys"]) == 15  # what Alice's export mirrored
    assert len(fake.requests) == asked
    refused = service.post(
        "/rest/export",
        params={**EXPORT, "filterType": "customjql", "customjql": "issueFunction in x()"},
        headers={"Authorization": f"TISJWT {local}"},
    )
    assert refused.status_code == 400  # the store runs only its JQL subset


def test_jql_beyond_the_local_subset_goes_to_jira_and_its_answer_is_the_message(
    service: httpx.Client, alice_token: str, settings: Settings
) -> None:
    jql = 'issueFunction in linkedIssuesOf("project = ALPHA")'
    failed = run_export(service, alice_token, filterType="customjql", customjql=jql)
    assert failed["status"] == "Failed"
    assert "answered POST /rest/api/3/search/jql with 400" in failed["message"]
    assert "cannot read the JQL clause" in failed["message"]
    assert not any(secret in failed["message"] for secret in SECRETS)


def test_a_saved_filter_is_jiras(service: httpx.Client, alice_token: str, fake: FakeJira) -> None:
    fake.filters["42"] = "project = BETA ORDER BY key ASC"
    found = run_export(service, alice_token, filterType="jqlfilter", jqlFilterID="42")
    assert found["keys"] == [f"BETA-{n}" for n in range(2, 31, 2)]
    missing = run_export(service, alice_token, filterType="jqlfilter", jqlFilterID="43")
    assert missing["status"] == "Failed"
    assert "Saved filter 43 does not exist in Jira or you may not see it." in missing["message"]


def test_a_sprint_is_jiras(service: httpx.Client, alice_token: str, fake: FakeJira) -> None:
    fake.sprints["7"] = {"ALPHA-1", "BETA-2"}
    found = run_export(service, alice_token, filterType="sprint", sprintID="7")
    assert sorted(found["keys"]) == ["ALPHA-1", "BETA-2"]
    missing = run_export(service, alice_token, filterType="sprint", sprintID="8")
    assert missing["status"] == "Failed"
    assert "Sprint 8 does not exist in Jira or you may not see it." in missing["message"]


def test_a_dead_jira_fails_the_export_with_what_it_answered(
    service: httpx.Client, alice_token: str, fake: FakeJira
) -> None:
    fake.dead = True
    with structlog.testing.capture_logs() as logs:
        failed = run_export(service, alice_token, filterType="project", projectKey="BETA")
    assert any(entry["event"] == "export_failed" for entry in logs)
    assert not any(secret in repr(logs) for secret in SECRETS)
    assert failed["status"] == "Failed"
    assert "did not answer GET /rest/api/3/status after 2 attempts" in failed["message"]
    assert "503 Service Unavailable" in failed["message"]


def test_credentials_are_encrypted_and_never_recorded(
    service: httpx.Client, settings: Settings, alice_token: str, bob_token: str
) -> None:
    run_export(service, alice_token, filterType="project", projectKey="BETA")
    run_export(service, bob_token, filterType="customjql", customjql="nonsense(")
    engine = IssueStore.open(settings).engine
    with engine.connect() as connection:
        rows = [
            *connection.execute(sa.select(exports)),
            *connection.execute(sa.select(token_sites)),
        ]
    text = " ".join(str(tuple(row)) for row in rows)
    assert len(rows) == 4 and "gAAAA" in text  # Fernet tokens
    database = b"".join(path.read_bytes() for path in settings.home.glob("dwelltime.db*"))
    for secret in SECRETS:
        assert secret not in text
        assert secret.encode() not in database


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--jira-email", "a@b.c"], "need --jira-url", id="no-url"),
        pytest.param(["--jira-url", "ftp://x"], "is not an http(s) URL", id="bad-url"),
        pytest.param(["--jira-url", "https://x.atlassian.net"], "exactly one of", id="no-secret"),
        pytest.param(
            ["--jira-url", "https://x.atlassian.net", "--jira-token-file", "{file}"],
            "needs --jira-email",
            id="cloud-without-email",
        ),
        pytest.param(
            ["--jira-url", "https://x.atlassian.net", "--jira-pat-file", "/no/such/file"],
            "Cannot read the Jira token file",
            id="missing-file",
        ),
    ],
)
def test_bad_binding_options_are_one_clear_line(
    settings: Settings, tmp_path: Path, arguments: list[str], message: str
) -> None:
    secret = secret_file(tmp_path, "s3cr3t")
    arguments = [argument.replace("{file}", secret) for argument in arguments]
    result = CliRunner().invoke(
        cli, ["token", "create", "dave", *arguments], env={"DWELLTIME_HOME": str(settings.home)}
    )
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert "s3cr3t" not in result.output


def _create(settings: Settings, *arguments: str) -> Result:
    return CliRunner().invoke(
        cli, ["token", "create", "erin", *arguments], env={"DWELLTIME_HOME": str(settings.home)}
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        pytest.param(None, "answered GET /rest/api/3/myself with 401", id="refused"),
        pytest.param(403, "answered GET /rest/api/3/myself with 403", id="forbidden"),
    ],
)
def test_credentials_jira_refuses_bind_no_token(
    settings: Settings, tmp_path: Path, site_url: str, fake: FakeJira, status: int | None,
    message: str,
) -> None:  # fmt: skip
    secret = secret_file(tmp_path, "token-alice" if status else "s3cr3t")
    if status is not None:
        fake.faults.append(Fault(status, 1))
    result = _create(
        settings, "--jira-url", site_url, "--jira-email", ALICE_EMAIL, "--jira-token-file", secret
    )
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.stderr.split()) and "Traceback" not in result.output
    assert "s3cr3t" not in result.output and "token-alice" not in result.output
    assert result.stdout == ""
    with IssueStore.open(settings).engine.connect() as connection:
        assert connection.execute(sa.select(token_sites)).first() is None


def test_an_unreachable_jira_is_said_and_no_verify_binds_offline(
    settings: Settings, tmp_path: Path
) -> None:
    secret = secret_file(tmp_path, "s3cr3t")
    nowhere = ["--jira-url", "http://127.0.0.1:9", "--jira-pat-file", secret]
    result = _create(settings, *nowhere)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert "did not answer GET /rest/api/2/myself after 2 attempts" in said
    assert "s3cr3t" not in result.output
    offline = _create(settings, *nowhere, "--no-verify")
    assert offline.exit_code == 0 and offline.stdout.count(".") == 2  # a JWT, only
