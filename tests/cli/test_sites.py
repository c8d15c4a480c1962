"""Sites as part of an issue's identity, through `dwelltime import` as a person runs it:
demo data and real issues with the same ids coexist, and clashes are refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dwelltime.cli import commands  # noqa: F401  (registers the commands)
from dwelltime.cli.app import app
from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.sources.issue_factory import TEST_SITE, jira_issue

DEVLAKE_SITE = "https://example.atlassian.net"


@pytest.fixture
def run(settings: Settings) -> CliRunner:
    return CliRunner(env={"DWELLTIME_HOME": str(settings.home)})


def _file(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _sites(settings: Settings) -> dict[str, int]:
    with IssueStore.open(settings).engine.connect() as connection:
        rows = connection.execute(
            sa.select(schema.issues.c.site, sa.func.count()).group_by(schema.issues.c.site)
        ).all()
    return {str(site): int(count) for site, count in rows}


def test_real_issues_with_demo_ids_are_all_kept(
    run: CliRunner, settings: Settings, jira_samples: Path
) -> None:
    demo = run.invoke(app, ["demo-data", "--issues", "200"])
    assert demo.exit_code == 0, demo.output
    devlake = jira_samples / "devlake"
    result = run.invoke(
        app, ["import", str(devlake / "search.json"), "--statuses", str(devlake / "status.json")]
    )
    assert result.exit_code == 0, result.output
    assert "total: 33 issues" in result.stdout
    assert "older copies" not in result.stdout
    assert _sites(settings) == {"demo": 200, DEVLAKE_SITE: 33}
    stats = run.invoke(app, ["store", "stats"])
    assert "Issues per site" in stats.stdout and DEVLAKE_SITE in stats.stdout
    source = LocalSource(IssueStore.open(settings))
    assert source.count(Selection("customjql", "site = demo")) == 200
    assert source.count(Selection("customjql", 'site = "HTTPS://Example.atlassian.net/"')) == 33
    assert source.count(Selection("customjql", "site != demo AND project = EE")) == 30
    assert source.count(Selection("customjql", "project = EE", site=DEVLAKE_SITE)) == 30
    assert source.count(Selection("customjql", "project = EE", site="demo")) == 0


def test_same_id_with_another_key_is_refused_naming_both(run: CliRunner, tmp_path: Path) -> None:
    first = _file(tmp_path / "first.json", [jira_issue(7, "AB-7")])
    moved = _file(tmp_path / "moved.json", [jira_issue(7, "AB-9")])
    assert run.invoke(app, ["import", first]).exit_code == 0
    result = run.invoke(app, ["import", moved])
    assert result.exit_code == 1
    assert "issue 7 is AB-7 in the store but AB-9 here" in result.stderr
    assert "Nothing of this data was stored" in result.stderr


def test_another_site_may_reuse_ids_and_keys(
    run: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path / "issues.json", [jira_issue(7, "AB-7")])
    assert run.invoke(app, ["import", path]).exit_code == 0
    other = run.invoke(app, ["import", path, "--site", "https://Other.example.com/jira/"])
    assert other.exit_code == 0, other.output
    assert _sites(settings) == {TEST_SITE: 1, "https://other.example.com/jira": 1}


@pytest.mark.parametrize(
    ("site", "message"),
    [
        pytest.param("demo", "is reserved", id="reserved-demo"),
        pytest.param("ftp://x.example", "not an http(s) URL", id="not-http"),
        pytest.param("x.atlassian.net", "not an http(s) URL", id="no-scheme"),
    ],
)
def test_bad_site_option_is_a_usage_error(
    run: CliRunner, tmp_path: Path, site: str, message: str
) -> None:
    path = _file(tmp_path / "issues.json", [jira_issue(7, "AB-7")])
    result = run.invoke(app, ["import", path, "--site", site])
    assert result.exit_code == 2
    assert message in result.output


def test_a_file_without_self_links_needs_a_site(
    run: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    bare = jira_issue(7, "AB-7")
    del bare["self"]
    path = _file(tmp_path / "bare.json", [bare])
    result = run.invoke(app, ["import", path])
    assert result.exit_code == 1
    assert "does not say which Jira site" in result.stderr
    assert run.invoke(app, ["import", path, "--site", TEST_SITE]).exit_code == 0
    assert _sites(settings) == {TEST_SITE: 1}


def test_a_file_mixing_sites_is_refused(run: CliRunner, tmp_path: Path) -> None:
    other = jira_issue(8, "AB-8")
    other["self"] = "https://other.example.com/rest/api/2/issue/8"
    path = _file(tmp_path / "mixed.json", [jira_issue(7, "AB-7"), other])
    result = run.invoke(app, ["import", path])
    assert result.exit_code == 1
    assert f"several Jira sites (https://other.example.com, {TEST_SITE})" in result.stderr
