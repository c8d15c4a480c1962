"""`sync`: a second run fetches only what changed, an interrupted run resumes, the CLI
shows what it did (issues that vanish from the selection: test_sync_vanished)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dwelltime.cli import commands  # noqa: F401  (registers the commands)
from dwelltime.cli.app import app as cli
from dwelltime.config import Settings
from dwelltime.errors import SourceError
from dwelltime.sources.jira import mirror
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.sync import sync_site
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.jira.conftest import ALICE_EMAIL, alice, bob
from tests.sources.jira.fake_jira import FakeJira


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done = 0
        self.estimate: int | None = None

    def listing(self, estimate: int | None) -> None:
        self.estimate = estimate

    def started(self, total: int) -> None:
        self.total = total

    def advanced(self, count: int) -> None:
        self.done += count


def test_a_second_sync_fetches_only_what_changed(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    store = IssueStore.open(jira_settings)
    api = open_site(alice(site_url), jira_settings)
    progress = Recorder()
    first = sync_site(store, api, "project in (ALPHA, BETA)", progress)
    assert (first.listed, first.fetched, first.incremental) == (30, 30, False)
    assert progress.total == progress.done == 30
    assert progress.estimate == 30  # Jira's approximate count, shown while listing
    now_ms = time.time_ns() // 1_000_000
    fake.touch("ALPHA-1", now_ms - 60_000)
    fake.touch("BETA-4", now_ms - 30_000)
    second = sync_site(store, api, "project in (ALPHA, BETA)")
    assert second.incremental and (second.changed, second.fetched) == (2, 2)
    third = sync_site(store, api, "project in (ALPHA, BETA)")
    # The whole selection is listed (it tells what vanished), and nothing is fetched.
    assert (third.listed, third.changed, third.fetched) == (30, 0, 0)
    assert third.requests == 3  # the status catalog, who the user is, one listing page
    stats = store.stats()
    assert stats.issues == 30
    assert stats.histories == sum(len(issue["histories"]) for issue in fake.issues)


def test_an_interrupted_sync_resumes_where_it_stopped(
    fake: FakeJira,
    site_url: str,
    jira_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mirror, "FETCH_PAGE", 5)  # six pages, so some land before the cut
    settings = jira_settings.model_copy(update={"jira_attempts": 1, "jira_concurrency": 1})
    store = IssueStore.open(settings)
    fake.dies_after = 6  # catalog, myself, listing, two pages (one long changelog), dead
    with pytest.raises(SourceError, match="503"):
        sync_site(store, open_site(bob(site_url), settings), "project = BETA")
    kept = store.stats().issues
    assert 0 < kept < 15
    fake.dies_after = None
    fake.dead = False
    resumed = sync_site(store, open_site(bob(site_url), settings), "project = BETA")
    assert not resumed.incremental  # the interrupted run never completed
    assert resumed.fetched == 15 - kept
    assert store.stats().issues == 15


def test_the_sync_command_reports_and_refuses_clearly(
    site_url: str, jira_settings: Settings, tmp_path: Path
) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text("token-alice")
    env = {"DWELLTIME_HOME": str(jira_settings.home), "DWELLTIME_JIRA_REQUESTS_PER_SECOND": "500"}
    arguments = ["sync", "--jira-url", site_url, "--jira-email", ALICE_EMAIL]
    result = CliRunner().invoke(
        cli, [*arguments, "--jira-token-file", str(secret), "--jql", "project = ALPHA"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "15 issues listed, 15 fetched with full histories" in result.stdout
    again = CliRunner().invoke(
        cli, [*arguments, "--jira-token-file", str(secret), "--jql", "project = ALPHA"], env=env
    )
    assert "15 issues listed (0 updated since the last sync), 0 fetched" in again.stdout
    secret.write_text("wrong")
    refused = CliRunner().invoke(
        cli, [*arguments, "--jira-token-file", str(secret), "--jql", "project = ALPHA"], env=env
    )
    assert refused.exit_code == 1
    assert "401 Unauthorized" in refused.stderr and "Traceback" not in refused.output
    missing = CliRunner().invoke(cli, ["sync", "--jql", "project = ALPHA"], env=env)
    assert missing.exit_code == 1 and "sync needs --jira-url" in missing.stderr
