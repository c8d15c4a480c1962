"""A re-export of a selection the store confirmed lists ids alone and what changed since,
and reports what a first export into an empty store reports, whatever happened in Jira
meanwhile: changes (during a listing too), deletions, permissions, clocks."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.sources.jira.confirmed import KEPT_FOR_MS
from dwelltime.sources.jira.guess import Guess
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.jira.tables import jira_confirmed
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.sources.jira import fake_jira
from tests.sources.jira.conftest import ALICE_EMAIL, alice, bob
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import STATUSES
from tests.sources.jira.test_source import _csv

BETA = "filterType=project&projectKey=BETA&columnsBy=statusDuration&outputType=CSV"
BOTH = (
    "filterType=customjql&customjql=project in (ALPHA, BETA)"
    "&columnsBy=statusDuration&outputType=CSV"
)
#: The changed search's clause: the minutes since the last listing began, plus a margin.
SINCE = re.compile(r"updated >= -(\d+)m")


class Site:
    """Reports through the fake Cloud site into one store, every selection of more than
    no confirmed issue listed by ids (the site's own threshold is a page, 5,000)."""

    def __init__(self, fake: FakeJira, site_url: str, settings: Settings, tmp: Path) -> None:
        self.fake = fake
        self.site_url = site_url
        self.settings = settings
        self.store = IssueStore.open(settings)
        self._tmp = tmp

    def csv(self, query: str = BETA, store: IssueStore | None = None) -> str:
        api = open_site(alice(self.site_url), self.settings)
        api.ids_listing_from = 0
        return _csv(JiraSource(store or self.store, api, batch_size=4), store or self.store, query)

    def fresh_csv(self, query: str = BETA) -> str:
        """The same report exported into an empty store: what Jira holds now."""
        home = self._tmp / f"fresh-{len(list(self._tmp.iterdir()))}"
        return self.csv(query, IssueStore.open(Settings(home=home, jira_requests_per_second=1e3)))

    def changed_searches(self) -> list[str]:
        return [jql for jql in self.fake.searches if SINCE.search(jql)]


def _long_ago(fake: FakeJira) -> int:
    """An hour after the newest `updated` of the fixtures (in 2025): after every copy the
    store holds, long before any window of what changed since a listing."""
    newest = max(
        datetime.strptime(i["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z") for i in fake.issues
    )
    return int(newest.timestamp() * 1000) + 3_600_000


@pytest.fixture
def site(fake: FakeJira, site_url: str, jira_settings: Settings, tmp_path: Path) -> Site:
    folder = tmp_path / "fresh"
    folder.mkdir()
    return Site(fake, site_url, jira_settings, folder)


def test_an_unchanged_reexport_lists_ids_and_what_changed(fake: FakeJira, site: Site) -> None:
    first = site.csv()
    assert not site.changed_searches()  # nothing confirmed yet: `updated` listed
    asked = len(fake.requests)

    again = site.csv()

    assert again == first == _csv(LocalSource(site.store), site.store, BETA)
    # The catalog, the listing of ids, the search of what changed since the first began.
    assert len(fake.requests) - asked == 3
    changed = site.changed_searches()
    assert len(changed) == 1 and changed[0].startswith('((project = "BETA")) AND updated >= -')
    minutes = int(SINCE.search(changed[0])[1])  # type: ignore[index]
    assert 10 <= minutes <= 11  # the margin, and under a minute since the first began


def test_an_issue_changed_since_is_fetched_again(fake: FakeJira, site: Site) -> None:
    site.csv()
    site.csv()
    fake.touch("BETA-4", fake.now_ms(), to_status=3)
    asked = fake.count("/rest/api/3/changelog/bulkfetch")

    again = site.csv()

    assert fake.count("/rest/api/3/changelog/bulkfetch") == asked + 1
    assert again == site.fresh_csv()


def test_an_issue_changed_during_a_listing_is_caught_by_the_next_export(
    fake: FakeJira, site: Site
) -> None:
    site.csv()
    site.csv()
    # Once the first search of the export ends (the ids or the changed search, whichever
    # Jira answers first), BETA-6 changes: the export may or may not see it...
    fake.after_listing = lambda: fake.touch("BETA-6", fake.now_ms(), to_status=2)
    site.csv()
    assert fake.after_listing is None

    # ...the next one must: its window begins before the last listing did.
    assert site.csv() == site.fresh_csv()


def test_a_deleted_issue_leaves_the_report(fake: FakeJira, site: Site) -> None:
    site.csv()
    site.csv()
    fake.delete("BETA-8")

    again = site.csv()

    assert "BETA-8," not in again
    assert again == site.fresh_csv()


def test_a_newly_visible_issue_is_fetched_not_taken_as_confirmed(
    fake: FakeJira, site: Site
) -> None:
    site.csv(BOTH)
    site.csv(BOTH)
    fake.grant("alice", {"BETA"}, email=ALICE_EMAIL)  # Alice loses ALPHA
    hidden = site.csv(BOTH)
    assert "ALPHA-" not in hidden and hidden == site.fresh_csv(BOTH)
    # While she cannot see it, ALPHA-3 changes, dated long before (as an issue the store
    # holds an old copy of, fetched by someone else, whose `updated` no window covers).
    fake.touch("ALPHA-3", _long_ago(fake), to_status=3)
    fake.grant("alice", {"ALPHA", "BETA"}, email=ALICE_EMAIL)

    again = site.csv(BOTH)

    assert "ALPHA-3," in again
    assert again == site.fresh_csv(BOTH)


@pytest.mark.parametrize("ahead_ms", [-3 * 3_600_000, 5 * 3_600_000])
def test_jira_s_clock_apart_from_ours_changes_nothing(
    fake: FakeJira, site: Site, ahead_ms: int
) -> None:
    fake.clock_offset_ms = ahead_ms
    site.csv()
    site.csv()
    fake.touch("BETA-10", fake.now_ms(), to_status=2)  # at Jira's own time

    assert site.csv() == site.fresh_csv()


def test_without_a_record_the_listing_holds_updated_and_records(fake: FakeJira, site: Site) -> None:
    first = site.csv()
    # A store before migration 0037 has no record (BETA's is dropped, as it would be).
    with site.store.engine.begin() as connection:
        connection.execute(jira_confirmed.delete())
    fake.touch("BETA-12", _long_ago(fake), to_status=2)  # no window would cover it

    again = site.csv()

    assert not site.changed_searches()  # every issue's `updated` compared, as before
    assert again != first and again == site.fresh_csv()
    site.csv()
    assert len(site.changed_searches()) == 1  # recorded: the next lists ids


def test_a_record_older_than_kept_is_not_used(fake: FakeJira, site: Site) -> None:
    site.csv()
    with site.store.engine.begin() as connection:
        old = jira_confirmed.c.confirmed_ms - KEPT_FOR_MS - 60_000
        connection.execute(jira_confirmed.update().values(confirmed_ms=old))

    site.csv()

    assert not site.changed_searches()


def test_data_center_lists_updated_and_records_nothing(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    store = IssueStore.open(jira_settings)
    for _ in range(2):
        api = open_site(bob(site_url), jira_settings)
        again = _csv(JiraSource(store, api, batch_size=4), store, BETA)

    assert again == _csv(LocalSource(store), store, BETA)
    with store.engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(jira_confirmed)).scalar() == 0
        )


def test_the_rows_confirmed_are_used_until_the_store_moves_on(
    fake: FakeJira, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):  # fetched; confirmed with rows looked up; confirmed with rows kept
        site.csv()
    looked_up: list[int] = []
    site_rows = IssueStore.site_rows

    def spy(store: IssueStore, site_url: str, jira_ids: list[int]) -> Any:
        looked_up.extend(jira_ids)
        return site_rows(store, site_url, jira_ids)

    monkeypatch.setattr(IssueStore, "site_rows", spy)
    site.csv()
    assert not looked_up  # nothing written since the last export read the rows

    # A write (here a deletion, as a sync makes) moves the store on: rows are read again.
    beta_2 = next(int(i["id"]) for i in fake.issues if i["key"] == "BETA-2")
    site.store.delete_issues(site.site_url, [beta_2])
    again = site.csv()

    assert looked_up and "BETA-2," in again
    assert again == site.fresh_csv()


def _guesses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each guess made from here on was confirmed (`Guess.confirmed`'s verdicts)."""
    verdicts: list[bool] = []
    confirmed = Guess.confirmed

    def spy(guess: Guess) -> bool:
        verdicts.append(confirmed(guess))
        return verdicts[-1]

    monkeypatch.setattr(Guess, "confirmed", spy)
    return verdicts


def test_an_unchanged_reexport_stands_on_its_guess_and_renews_the_record(
    fake: FakeJira, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.csv()
    first = site.csv()  # confirmed with rows and the catalog: the next one guesses
    with site.store.engine.connect() as connection:
        before = connection.execute(sa.select(jira_confirmed.c.confirmed_ms)).scalar()
    verdicts = _guesses(monkeypatch)

    again = site.csv()

    assert verdicts == [True]
    assert again == first == _csv(LocalSource(site.store), site.store, BETA)
    with site.store.engine.connect() as connection:
        after = connection.execute(sa.select(jira_confirmed.c.confirmed_ms)).scalar()
    assert after is not None and before is not None and after >= before


@pytest.mark.parametrize("change", ["deleted", "touched", "renamed", "hidden"])
def test_a_refuted_guess_is_computed_again_as_a_fresh_export(
    fake: FakeJira, site: Site, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    site.csv(BOTH)
    site.csv(BOTH)
    verdicts = _guesses(monkeypatch)
    if change == "deleted":
        fake.delete("BETA-8")
    elif change == "touched":
        fake.touch("BETA-4", fake.now_ms(), to_status=3)
    elif change == "renamed":
        renamed = [dict(s) for s in STATUSES]
        renamed[1]["name"] = "Doing it"
        monkeypatch.setattr(fake_jira, "STATUSES", renamed)
    else:
        fake.grant("alice", {"BETA"}, email=ALICE_EMAIL)  # Alice loses ALPHA

    again = site.csv(BOTH)

    assert verdicts == [False]
    assert again == site.fresh_csv(BOTH)
    if change == "renamed":
        assert "Doing it" in again.splitlines()[0]
