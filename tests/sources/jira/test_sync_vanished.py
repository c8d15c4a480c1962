"""`sync` forgets what left its selection, on both editions: an issue deleted in Jira
leaves the store and the next export; one moved out of the JQL stays in the store but
leaves that selection; an account that lost access deletes nothing another account still
lists; an interrupted sync that had noticed a vanished issue handles it on resume, and a
failed one deletes nothing; issues only Jira-bound exports fetched are checked too, once
a day, and another account's check keeps what this one cannot see."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.errors import SourceError
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.editions import SiteApi
from dwelltime.sources.jira.history_fields import mark_partial, partial_fields
from dwelltime.sources.jira.listed import RECHECK_AFTER_MS
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.sync import sync_site
from dwelltime.sources.jira.tables import jira_checked
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from tests.sources.issue_factory import make_issue
from tests.sources.jira.bound import make_token, run_export
from tests.sources.jira.fake_jira import FakeJira

BOTH = "project in (ALPHA, BETA)"
ALPHA = "project = ALPHA"
OTHER_SITE = "https://other.atlassian.net"

pytestmark = pytest.mark.parametrize("edition", ["cloud", "datacenter"])


def _account(
    fake: FakeJira, site_url: str, settings: Settings, edition: str, user: str, projects: set[str]
) -> SiteApi:
    """Credentials of `user` in `edition`'s form, seeing `projects` (granting again
    changes what the same credentials see)."""
    if edition == "cloud":
        email = f"{user}@example.com"
        secret = fake.grant(user, projects, email=email)
        credentials = JiraCredentials(site_url, "cloud", email, secret)
    else:
        secret = fake.grant(user, projects)
        credentials = JiraCredentials(site_url, "datacenter", None, secret)
    return open_site(credentials, settings)


def _id(fake: FakeJira, key: str) -> int:
    return int(next(issue["id"] for issue in fake.issues if issue["key"] == key))


def _per_site(store: IssueStore) -> dict[str, int]:
    issues = schema.issues
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(issues.c.site, sa.func.count()).group_by(issues.c.site))
        return {str(site): int(count) for site, count in rows}


def _keys(store: IssueStore, site: str) -> set[str]:
    issues = schema.issues
    with store.engine.connect() as connection:
        query = sa.select(issues.c.key).where(issues.c.site == site)
        return set(connection.execute(query).scalars())


def _local_keys(service: httpx.Client, token: str, jql: str) -> set[str]:
    """The keys of an export of the local store (a token bound to the site, no Jira)."""
    exported = run_export(service, token, filterType="customjql", customjql=jql)
    assert exported["status"] == "Successful", exported
    return set(exported["keys"])


@pytest.mark.parametrize("strict", [False, True], ids=["lenient-jql", "strict-jql"])
def test_an_issue_deleted_in_jira_leaves_the_store_and_the_next_export(
    edition: str,
    strict: bool,
    fake: FakeJira,
    site_url: str,
    settings: Settings,
    service: httpx.Client,
    tmp_path: Path,
) -> None:
    store = IssueStore.open(settings)
    write_demo(store, 20)
    doomed = _id(fake, "ALPHA-5")
    # Another site's issue with the same Jira id is another issue: it stays.
    store.write(StoreData(site=OTHER_SITE, issues=[make_issue(doomed, "ALPHA")]))
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    sync_site(store, erin, ALPHA)
    mark_partial(store.engine, site_url, [doomed], {"status"})  # as a bound export leaves it
    local = make_token(settings, tmp_path, "local", "--site", site_url)
    assert "ALPHA-5" in _local_keys(service, local, ALPHA)

    fake.delete("ALPHA-5")
    moved = fake.move("ALPHA-7", "BETA", 99, time.time_ns() // 1_000_000 - 60_000)
    fake.strict_ids = strict  # the question by id names a deleted issue: refused whole
    outcome = sync_site(store, erin, ALPHA)

    assert (outcome.listed, outcome.deleted, outcome.moved_out, outcome.fetched) == (13, 1, 1, 1)
    assert _per_site(store) == {"demo": 20, OTHER_SITE: 1, site_url: 14}
    assert "ALPHA-5" not in _keys(store, site_url) and moved in _keys(store, site_url)
    assert partial_fields(store.engine, site_url, [doomed]) == {}
    alpha = {issue["key"] for issue in fake.issues if issue["key"].startswith("ALPHA-")}
    assert _local_keys(service, local, ALPHA) == alpha
    again = sync_site(store, erin, ALPHA)
    assert (again.deleted, again.moved_out) == (0, 0)  # the new listing no longer holds them


def test_an_issue_moved_out_of_the_selection_stays_but_leaves_its_export(
    edition: str,
    fake: FakeJira,
    site_url: str,
    settings: Settings,
    service: httpx.Client,
    tmp_path: Path,
) -> None:
    store = IssueStore.open(settings)
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    assert sync_site(store, erin, "project = ALPHA").fetched == 15
    asked = len(fake.requests)
    moved = fake.move("ALPHA-3", "BETA", 99, time.time_ns() // 1_000_000 - 60_000)

    outcome = sync_site(store, erin, "project = ALPHA")

    assert (outcome.listed, outcome.moved_out, outcome.deleted, outcome.fetched) == (14, 1, 0, 1)
    # One id search asked about it; its newer copy was fetched, nothing else.
    searches = [line for line in fake.requests[asked:] if "search" in line]
    assert len(searches) == 3  # the listing, the question by id, the fetch
    assert _per_site(store) == {site_url: 15}
    assert moved in _keys(store, site_url) and "ALPHA-3" not in _keys(store, site_url)
    local = make_token(settings, tmp_path, "local", "--site", site_url)
    assert moved not in _local_keys(service, local, "project = ALPHA")
    assert len(_local_keys(service, local, "project = ALPHA")) == 14
    assert _local_keys(service, local, "project = BETA") == {moved}
    again = sync_site(store, erin, "project = ALPHA")
    assert (again.moved_out, again.fetched) == (0, 0)


def test_an_account_that_lost_access_deletes_only_what_nobody_else_lists(
    edition: str, fake: FakeJira, site_url: str, settings: Settings
) -> None:
    store = IssueStore.open(settings)
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    frank = _account(fake, site_url, settings, edition, "frank", {"BETA"})
    sync_site(store, erin, BOTH)
    sync_site(store, frank, "project = BETA")

    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA"})  # Erin loses BETA
    hidden = sync_site(store, erin, BOTH)
    assert (hidden.listed, hidden.kept, hidden.deleted) == (15, 15, 0)
    assert _per_site(store) == {site_url: 30}  # Frank's sync still lists BETA

    fake.delete("BETA-2")
    gone = sync_site(store, frank, "project = BETA")
    assert (gone.deleted, gone.kept) == (1, 0)  # Erin's listing no longer holds it
    assert _per_site(store) == {site_url: 29}

    frank = _account(fake, site_url, settings, edition, "frank", set())  # and Frank loses BETA too
    last = sync_site(store, frank, "project = BETA")
    assert (last.listed, last.deleted, last.kept) == (0, 14, 0)
    assert _keys(store, site_url) == {f"ALPHA-{n}" for n in range(1, 30, 2)}


@pytest.mark.parametrize("cut", ["asking by id", "fetching"])
def test_an_interrupted_sync_still_handles_what_vanished(
    edition: str, cut: str, fake: FakeJira, site_url: str, settings: Settings
) -> None:
    store = IssueStore.open(settings)
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    sync_site(store, erin, BOTH)
    fake.delete("ALPHA-5")
    fake.touch("BETA-4", time.time_ns() // 1_000_000 - 60_000)
    # Catalog, myself, listing answer; then the question by id (or the fetch after it) dies.
    fake.dies_after = len(fake.requests) + (3 if cut == "asking by id" else 4)
    with pytest.raises(SourceError, match="503"):
        sync_site(store, erin, BOTH)
    # Deleting waits for the fetch: the failed run removed nothing.
    assert "ALPHA-5" in _keys(store, site_url)
    fake.dies_after = None
    fake.dead = False

    resumed = sync_site(store, erin, BOTH)

    assert resumed.deleted == 1  # the old listing still held it, so the resumed run asked
    assert resumed.fetched == 1  # BETA-4, whose newer copy the cut run never wrote
    assert "ALPHA-5" not in _keys(store, site_url)
    assert _per_site(store) == {site_url: 29}


def test_issues_only_a_bound_export_fetched_are_checked_once_a_day(
    edition: str, fake: FakeJira, site_url: str, settings: Settings
) -> None:
    store = IssueStore.open(settings)
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    beta = [_id(fake, f"BETA-{n}") for n in range(2, 31, 2)]
    # What a bound export of BETA leaves in the store: copies no sync has listed.
    Mirror(store, erin).complete(beta, fields={"status"})
    fake.delete("BETA-2")

    outcome = sync_site(store, erin, ALPHA)

    assert (outcome.listed, outcome.unlisted, outcome.deleted, outcome.moved_out) == (
        15,
        15,
        1,
        0,
    )
    # ALPHA, and on Cloud the BETA copies bulkfetch cut to status, whole now (Data Center
    # cannot cut changelogs: its copies were whole already).
    assert outcome.fetched == 15 + (14 if edition == "cloud" else 0)
    assert _keys(store, site_url) == {
        *(f"ALPHA-{n}" for n in range(1, 30, 2)),
        *(f"BETA-{n}" for n in range(4, 31, 2)),
    }
    assert partial_fields(store.engine, site_url, beta) == {}
    # Returned, so checked: the next syncs do not ask for them again...
    fake.delete("BETA-4")
    again = sync_site(store, erin, ALPHA)
    assert (again.unlisted, again.deleted, again.fetched) == (0, 0, 0)
    assert "BETA-4" in _keys(store, site_url)
    # ...until the check is a day old: then a deletion in Jira still reaches the store.
    _age_checks(store)
    later = sync_site(store, erin, ALPHA)
    assert (later.unlisted, later.deleted, later.fetched) == (14, 1, 0)
    assert "BETA-4" not in _keys(store, site_url)
    assert sync_site(store, erin, ALPHA).unlisted == 0  # checked again
    # Once a sync lists them, they are that listing's: no longer asked for apart.
    sync_site(store, erin, "project = BETA")
    _age_checks(store)
    assert sync_site(store, erin, ALPHA).unlisted == 0


def test_a_check_by_another_account_keeps_what_this_one_cannot_see(
    edition: str, fake: FakeJira, site_url: str, settings: Settings
) -> None:
    store = IssueStore.open(settings)
    erin = _account(fake, site_url, settings, edition, "erin", {"ALPHA", "BETA"})
    frank = _account(fake, site_url, settings, edition, "frank", {"ALPHA"})
    beta = [_id(fake, f"BETA-{n}") for n in range(2, 31, 2)]
    Mirror(store, erin).complete(beta, fields={"status"})  # a bound export of Erin's
    assert sync_site(store, erin, ALPHA).unlisted == 15  # Erin's sync checks them
    # Fresh, Erin's checks spare Frank the question; old, Frank asks, Jira does not return
    # them to him, and Erin's checks keep them.
    assert sync_site(store, frank, ALPHA).unlisted == 0
    _age_checks(store)
    outcome = sync_site(store, frank, ALPHA)
    assert (outcome.unlisted, outcome.deleted, outcome.kept) == (15, 0, 15)
    assert {f"BETA-{n}" for n in range(2, 31, 2)} <= _keys(store, site_url)
    # Erin's next check, once old, renews them; when Jira no longer returns one to her
    # either, it goes.
    fake.delete("BETA-2")
    _age_checks(store)
    last = sync_site(store, erin, ALPHA)
    assert (last.unlisted, last.deleted) == (15, 1)
    assert "BETA-2" not in _keys(store, site_url)


def _age_checks(store: IssueStore) -> None:
    """Make every recorded by-id check older than `RECHECK_AFTER_MS`, as a day passing."""
    with store.engine.begin() as connection:
        connection.execute(
            jira_checked.update().values(
                checked_ms=jira_checked.c.checked_ms - RECHECK_AFTER_MS - 1
            )
        )
