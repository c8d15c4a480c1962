"""An unchanged re-export reads its batches from the store while Jira still lists (Cloud and
Data Center), and whatever the listing's order or restarts, its report is the local
export's: read-ahead batches are used only when they begin the report's own order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from dwelltime.config import Settings
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.sources.jira import read_ahead
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.store import batches
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.sources.jira.conftest import alice, bob
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.test_source import _csv

REPORT = "filterType=project&projectKey=BETA&columnsBy=statusDuration&outputType=CSV"
ORDERED = (
    "filterType=customjql&customjql=project = BETA ORDER BY key DESC"
    "&columnsBy=statusDuration&outputType=CSV"
)

pytestmark = pytest.mark.parametrize("who", [alice, bob], ids=["cloud", "datacenter"])


class ReadSpy:
    """Counts the issues each read-ahead batch read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[int] = []
        original = batches.read_batch

        def spied(connection: Any, ids: Sequence[int], selection: Any) -> IssueBatch:
            self.read.append(len(ids))
            return original(connection, ids, selection)

        monkeypatch.setattr(read_ahead, "read_batch", spied)


@dataclass
class Exports:
    """Reports of BETA's 15 issues through the site, listed four to a page, into one store."""

    store: IssueStore
    who: type[JiraCredentials]
    site_url: str
    settings: Settings

    def csv(self, query: str = REPORT) -> str:
        """The report read through a new Jira source (batches of 4)."""
        site = open_site(self.who(self.site_url), self.settings)  # type: ignore[call-arg]
        return _csv(JiraSource(self.store, site, batch_size=4), self.store, query)

    def local_csv(self, query: str = REPORT) -> str:
        """The same report from the store alone."""
        return _csv(LocalSource(self.store), self.store, query)


@pytest.fixture
def exports(
    who: type[JiraCredentials], fake: FakeJira, site_url: str, jira_settings: Settings
) -> Exports:
    fake.listing_page = 4  # BETA's 15 issues in four pages
    return Exports(IssueStore.open(jira_settings), who, site_url, jira_settings)


def test_an_unchanged_reexport_reads_its_batches_while_jira_lists(
    who: type[JiraCredentials], fake: FakeJira, exports: Exports, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = exports.csv()
    spy = ReadSpy(monkeypatch)
    asked = len(fake.requests)

    again = exports.csv()

    assert again == first == exports.local_csv()
    assert spy.read == [4, 4, 4, 3]  # every page read ahead, in batches of 4
    # Nothing fetched: the catalog and the listing's pages (Data Center's 15 in one).
    assert len(fake.requests) - asked == (1 + 4 if who is alice else 1 + 1)


def test_a_listing_out_of_id_order_drops_what_it_read_ahead(
    who: type[JiraCredentials], fake: FakeJira, exports: Exports, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports.csv()
    # An issue "created" after every other (an import keeps its old date, a new id here
    # the other way round): creation order is no longer id order.
    beta_first = next(i for i in fake.issues if i["key"] == "BETA-2")
    beta_first["fields"]["created"] = "2030-01-01T00:00:00.000+0000"
    spy = ReadSpy(monkeypatch)

    again = exports.csv()

    assert again == exports.local_csv()
    # Read until the id out of order came (Cloud's fourth page; Data Center lists all 15
    # in one page, so it reads nothing ahead), then dropped.
    assert spy.read == ([4, 4, 4] if who is alice else [])


def test_a_jql_with_its_own_order_is_read_ahead_in_that_order(
    exports: Exports, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = exports.csv(ORDERED)
    spy = ReadSpy(monkeypatch)

    again = exports.csv(ORDERED)

    assert again == first
    keys = [line.split(",")[0] for line in again.splitlines()[1:]]
    assert keys == [f"BETA-{n}" for n in range(30, 1, -2)]  # Jira's order, kept
    assert spy.read == [4, 4, 4, 3]


def test_a_listing_restarted_by_an_expired_token_reads_ahead_afresh(
    who: type[JiraCredentials], fake: FakeJira, exports: Exports, monkeypatch: pytest.MonkeyPatch
) -> None:
    if who is bob:
        pytest.skip("Data Center pages by startAt: it has no page tokens to expire")
    first = exports.csv()
    fake.expire_tokens = 1  # the second page's token: the listing starts over
    spy = ReadSpy(monkeypatch)

    again = exports.csv()

    assert again == first
    # What the first try read of its first page (if it was not cancelled) is dropped; the
    # second try reads the whole listing ahead again.
    assert spy.read[-4:] == [4, 4, 4, 3] and sum(spy.read) in (15, 19)
