"""Demo data, an imported DevLake sample and a synced fake Jira site coexist in one store;
each token's exports see the issues of the site it is bound to."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa
from typer.testing import CliRunner

from dwelltime.cli import commands  # noqa: F401  (registers the commands)
from dwelltime.cli.app import app as cli
from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.sync import sync_site
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.jira.bound import make_token, run_export, secret_file
from tests.sources.jira.conftest import ALICE_EMAIL, alice
from tests.sources.jira.fake_jira import FakeJira

DEVLAKE_SITE = "https://example.atlassian.net"
EVERYTHING = {"filterType": "customjql", "customjql": 'created >= "2000-01-01"'}


def _per_site(store: IssueStore) -> dict[str, int]:
    issues = schema.issues
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(issues.c.site, sa.func.count()).group_by(issues.c.site))
        return {str(site): int(count) for site, count in rows}


def test_sites_coexist_and_tokens_see_their_own(
    settings: Settings,
    service: httpx.Client,
    fake: FakeJira,
    site_url: str,
    jira_samples: Path,
    tmp_path: Path,
) -> None:
    store = IssueStore.open(settings)
    write_demo(store, 60)
    devlake = jira_samples / "devlake"
    results = list(import_files(store, [devlake / "search.json"], devlake / "status.json"))
    assert all(result.error is None for result in results)
    sync_site(store, open_site(alice(site_url), settings), "project in (ALPHA, BETA)")
    assert _per_site(store) == {"demo": 60, DEVLAKE_SITE: 33, site_url: 30}

    demo = make_token(settings, tmp_path, "dora", "--site", "demo")
    lake = make_token(settings, tmp_path, "lake", "--site", DEVLAKE_SITE + "/")
    everyone = make_token(settings, tmp_path, "root")
    secret = secret_file(tmp_path, "token-alice")
    jira = make_token(
        settings, tmp_path, "alice", "--jira-url", site_url, "--jira-email", ALICE_EMAIL,
        "--jira-token-file", secret,
    )  # fmt: skip
    client = service
    assert len(run_export(client, demo, **EVERYTHING)["keys"]) == 60
    assert len(run_export(client, lake, **EVERYTHING)["keys"]) == 33
    assert len(run_export(client, everyone, **EVERYTHING)["keys"]) == 123
    asked = len(fake.requests)
    both = {"filterType": "customjql", "customjql": "project in (ALPHA, BETA)"}
    synced = run_export(client, jira, **both)
    assert sorted(synced["keys"]) == sorted(issue["key"] for issue in fake.issues)
    # Everything was synced already: the export only listed keys and dates.
    # (beside them, Jira's approximate-count for the early total; it may still be in flight)
    listed = [line for line in fake.requests[asked:] if not line.endswith("/approximate-count")]
    assert listed == ["GET /rest/api/3/status", "POST /rest/api/3/search/jql"]
    assert _per_site(store) == {"demo": 60, DEVLAKE_SITE: 33, site_url: 30}


def test_a_bad_site_is_refused(settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["token", "create", "x", "--site", "nowhere"],
        env={"DWELLTIME_HOME": str(settings.home)},
    )
    assert result.exit_code == 1 and "--site:" in result.stderr
