"""A Cloud listing asked as id ranges at once lists what one search lists, whatever Jira
holds that the store does not, and a JQL with its own order is never cut into ranges."""

from __future__ import annotations

from typing import Any

import pytest

from dwelltime.config import Settings
from dwelltime.errors import ImportRejected
from dwelltime.sources.jira.editions import listed, listed_page
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.sources.jira.conftest import alice
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import make_issues
from tests.sources.jira.test_source import _csv

REPORT = "filterType=project&projectKey=BETA&columnsBy=statusDuration&outputType=CSV"
ORDERED = (
    "filterType=customjql&customjql=project = BETA ORDER BY key DESC"
    "&columnsBy=statusDuration&outputType=CSV"
)
#: BETA's 15 issues, as the store holds them after a first export, in ranges of four.
RANGE = 4


class Site:
    """Reports of BETA through the fake Cloud site into one store, its listings cut into
    ranges of `RANGE` issues (or, `ranges=False`, asked as one search)."""

    def __init__(self, store: IssueStore, site_url: str, settings: Settings) -> None:
        self.store = store
        self.site_url = site_url
        self.settings = settings

    def csv(self, query: str = REPORT, *, ranges: bool = True) -> str:
        api = open_site(alice(self.site_url), self.settings)
        api.listing_range = RANGE if ranges else None
        return _csv(JiraSource(self.store, api, batch_size=4), self.store, query)


@pytest.fixture
def site(site_url: str, jira_settings: Settings) -> Site:
    return Site(IssueStore.open(jira_settings), site_url, jira_settings)


def _ranged(fake: FakeJira) -> list[str]:
    return [jql for jql in fake.searches if " id >= " in jql or " id < " in jql]


def test_an_unchanged_reexport_lists_its_id_ranges_at_once(fake: FakeJira, site: Site) -> None:
    first = site.csv()
    assert not _ranged(fake)  # an empty store: nothing to cut the listing by
    fake.latency_s = 0.05  # long enough for the ranges' requests to overlap
    asked = len(fake.requests)

    again = site.csv()

    assert again == first == _csv(LocalSource(site.store), site.store, REPORT)
    # The catalog, then one search per range: ids below the store's 5th, 5th to 9th, 9th
    # to 13th, and from its 13th up, asked together.
    assert len(fake.requests) - asked == 1 + 4
    assert len(_ranged(fake)) == 4
    assert fake.max_in_flight >= 2


def test_issues_the_store_does_not_hold_land_in_some_range(fake: FakeJira, site: Site) -> None:
    site.csv()
    # Jira now holds in BETA an issue the store holds in ALPHA (moved: its id falls inside
    # the ranges), and issues newer than any the store holds (ids above the last bound).
    moved = fake.move("ALPHA-3", "BETA", 103, at_ms=1_767_000_000_000)
    fake.issues.extend(make_issues(40)[30:])
    fake.delete("BETA-8")  # and no longer one the store holds

    ranged = site.csv()
    one_search = site.csv(ranges=False)

    assert len(_ranged(fake)) == 4
    assert ranged == one_search
    keys = {line.split(",")[0] for line in ranged.splitlines()[1:]}
    assert {moved, "BETA-32", "BETA-40"} <= keys and "BETA-8" not in keys
    assert len(keys) == 15 + 1 + 5 - 1


def test_a_range_restarted_by_an_expired_token_is_listed_whole(fake: FakeJira, site: Site) -> None:
    first = site.csv()
    fake.listing_page = 2  # each range of four in two pages
    fake.expire_tokens = 1  # one range's second page: that range starts over

    again = site.csv()

    assert again == first


def test_a_jql_with_its_own_order_is_listed_as_one_search(fake: FakeJira, site: Site) -> None:
    first = site.csv(ORDERED)

    again = site.csv(ORDERED)

    assert again == first
    assert not _ranged(fake)
    keys = [line.split(",")[0] for line in again.splitlines()[1:]]
    assert keys == [f"BETA-{n}" for n in range(30, 1, -2)]


UNUSUAL: list[Any] = [
    {"id": "10", "key": "A-1", "fields": {"updated": "2025-01-31T09:30:00.000+0100"}},
    {"id": "11", "key": "A-2", "fields": {"updated": "2025-01-31T09:30:00.000Z"}},
    {"id": "12", "key": "A-3", "fields": {"updated": 1_738_312_200_000, "created": "<null>"}},
    {"id": "13", "key": "A-4", "fields": {"updated": None, "resolutiondate": ""}},
    {"id": "14", "key": "A-5", "fields": {"updated": "2025-01-31T09:30:00+05:30"}},
]


@pytest.mark.parametrize("raws", [UNUSUAL, [*UNUSUAL, {"id": 15, "key": "A-6"}]])
def test_a_listing_page_reads_as_its_entries_one_by_one(raws: list[Any]) -> None:
    assert listed_page(raws) == [listed(raw) for raw in raws]
    assert listed_page(raws)[0].updated_ms == 1_738_312_200_000


def test_a_listed_date_jira_should_not_send_is_refused_by_name() -> None:
    with pytest.raises(ImportRejected, match="issue A-1 updated is not a date"):
        listed_page([{"id": "1", "key": "A-1", "fields": {"updated": "31/01/2025"}}])
