"""An export read from a Jira site equals the export of the same issues imported from JSON."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.domain.selection import Selection
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.base import IssueSource
from dwelltime.sources.jira import mirror
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.jira.sync import sync_site
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource
from tests.sources.jira.conftest import alice, bob
from tests.sources.jira.fake_jira import FakeJira
from tests.sources.jira.fixtures import STATUSES, as_search_response

NOW_MS = 1_767_225_600_000  # 2026-01-01 UTC
REPORTS = [
    "filterType=project&projectKey=BETA&columnsBy=statusDuration&outputType=CSV",
    "filterType=customjql&customjql=project = {p}&columnsBy=statusCount&outputType=CSV"
    "&fields=summary,priority,assignee",
    "filterType=user&user=acc-bob&columnsBy=assigneeDuration&outputType=CSV",
    "filterType=project&projectKey={p}&columnsBy=statusDuration&outputType=CSV"
    "&startDate=2025-01-01 05:00&endDate=2025-01-02",
]


def _csv(source: IssueSource, store: IssueStore, query: str) -> str:
    raw: dict[str, list[str]] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        raw.setdefault(name, []).append(value)
    params = parse_params(raw, StoreParamContext(store))
    out = io.BytesIO()
    run_report(params, source, NOW_MS, out, batch_size=7)
    return out.getvalue().decode()


def _imported(tmp_path: Path, fake: FakeJira, projects: set[str]) -> IssueStore:
    visible = [i for i in fake.issues if i["fields"]["project"]["key"] in projects]
    (tmp_path / "search.json").write_text(json.dumps(as_search_response(visible)))
    (tmp_path / "status.json").write_text(json.dumps(STATUSES))
    store = IssueStore.open(Settings(home=tmp_path / "imported"))
    results = list(
        import_files(
            store, [tmp_path / "search.json"], tmp_path / "status.json", "https://jira.example"
        )
    )
    assert all(result.error is None for result in results)
    return store


@pytest.mark.parametrize("who", [alice, bob], ids=["cloud", "datacenter"])
@pytest.mark.parametrize("query", REPORTS)
def test_jira_export_equals_the_imported_export(
    who: type[JiraCredentials],
    query: str,
    fake: FakeJira,
    site_url: str,
    jira_settings: Settings,
    tmp_path: Path,
) -> None:
    credentials = who(site_url)  # type: ignore[call-arg]
    projects = {"ALPHA", "BETA"} if credentials.edition == "cloud" else {"BETA"}
    local = _imported(tmp_path, fake, projects)
    query = query.format(p="ALPHA" if credentials.edition == "cloud" else "BETA")
    mirror = IssueStore.open(jira_settings)
    jira = JiraSource(mirror, open_site(credentials, jira_settings))
    expected = _csv(LocalSource(local), local, query)
    assert expected.count("\n") > 2
    assert _csv(jira, mirror, query) == expected


def test_issues_with_more_than_100_histories_arrive_complete(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    long_ones = [i for i in fake.issues if len(i["histories"]) > 100]
    assert len(long_ones) >= 3
    for credentials in (alice(site_url), bob(site_url)):
        home = jira_settings.home / credentials.edition
        store = IssueStore.open(jira_settings.model_copy(update={"home": home}))
        source = JiraSource(store, open_site(credentials, jira_settings))
        selection = Selection("customjql", "project = BETA")
        assert sum(batch.issues.height for batch in source.batches(selection, 50)) == 15
        issues, histories = schema.issues, schema.histories
        with store.engine.connect() as connection:
            stored: dict[int, int] = dict(
                connection.execute(
                    sa.select(issues.c.jira_id, sa.func.count())
                    .join(histories, histories.c.issue_id == issues.c.id)
                    .group_by(issues.c.jira_id)
                ).all()
            )
        beta = [i for i in fake.issues if i["fields"]["project"]["key"] == "BETA"]
        assert stored == {int(i["id"]): len(i["histories"]) for i in beta}
        assert any(len(i["histories"]) > 100 for i in beta)


@pytest.mark.parametrize("who", [alice, bob], ids=["cloud", "datacenter"])
def test_an_issue_deleted_between_the_listing_and_its_fetch_is_left_out(
    who: type[JiraCredentials], fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    beta = [i["key"] for i in fake.issues if i["fields"]["project"]["key"] == "BETA"]
    gone = beta[len(beta) // 2]
    fake.after_listing = lambda: fake.delete(gone)
    store = IssueStore.open(jira_settings)
    source = JiraSource(store, open_site(who(site_url), jira_settings))  # type: ignore[call-arg]
    query = REPORTS[0]  # BETA's statusDuration

    report = _csv(source, store, query)

    rows = report.splitlines()
    assert len(rows) == len(beta)  # the header and every BETA issue but the deleted one
    assert not any(f'"{gone}"' in row or row.startswith(f"{gone},") for row in rows)
    assert report == _csv(LocalSource(store), store, query)


class FetchWatcher:
    """A pipeline Progress noting how much of Jira was read at each batch."""

    def __init__(self, fake: FakeJira) -> None:
        self._fake = fake
        self.fetched_at: list[int] = []

    def started(self, total: int) -> None:
        pass

    def advanced(self, completed: int) -> None:
        self.fetched_at.append(self._fake.count("/rest/api/3/changelog/bulkfetch"))

    def should_stop(self) -> bool:
        return False


def test_batches_flow_while_jira_is_still_read(
    fake: FakeJira, site_url: str, jira_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mirror, "FETCH_PAGE", 4)
    store = IssueStore.open(jira_settings)
    # One request at a time, each taking a while, so the pages are asked one after
    # another and the counts of bulkfetch requests below tell how far the fetch had gone
    # at each batch.
    fake.latency_s = 0.05
    one_at_a_time = jira_settings.model_copy(update={"jira_concurrency": 1})
    source = JiraSource(store, open_site(alice(site_url), one_at_a_time))
    params = parse_params(
        {"filterType": ["project"], "projectKey": ["ALPHA"], "columnsBy": ["statusCount"],
         "outputType": ["CSV"]},
        StoreParamContext(store),
    )  # fmt: skip
    watcher = FetchWatcher(fake)
    run_report(params, source, NOW_MS, io.BytesIO(), watcher, batch_size=4)
    # Batches of 4, 4, 4 and 3 issues. The fetch runs beside the engine, at most
    # FETCH_QUEUE pages per request in flight ahead of the writes (2 here): the first batch
    # is computed once its page is written, while the last is not yet asked for.
    assert len(watcher.fetched_at) == 4
    assert watcher.fetched_at[0] <= 3 < watcher.fetched_at[-1] == 4


def test_the_estimate_comes_before_the_exact_count(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    # Listing pages of 4 wait for approximate-count, which over-counts by 3: an estimate.
    fake.listing_page, fake.hold_listing, fake.count_error = 4, True, 3
    source = JiraSource(IssueStore.open(jira_settings), open_site(alice(site_url), jira_settings))
    estimates: list[int] = []
    source.on_estimate = estimates.append
    assert source.count(Selection("customjql", "project in (ALPHA, BETA)")) == 30
    assert estimates == [33]
    assert fake.count("/rest/api/3/search/approximate-count") == 1


def test_a_slow_estimate_ends_with_the_listing_and_is_dropped(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    # The listing (one page) is done long before approximate-count answers: the estimate
    # must not arrive after the exact count, nor its thread outlive the count.
    fake.count_delay_s = 0.5
    source = JiraSource(IssueStore.open(jira_settings), open_site(alice(site_url), jira_settings))
    estimates: list[int] = []
    source.on_estimate = estimates.append
    assert source.count(Selection("customjql", "project in (ALPHA, BETA)")) == 30
    assert estimates == []
    assert not [thread for thread in threading.enumerate() if thread.name == "jira-estimate"]
    assert fake.count("/rest/api/3/search/approximate-count") == 1


def test_jiras_rate_limit_headers_pace_requests_before_any_429(
    fake: FakeJira, site_url: str, jira_settings: Settings
) -> None:
    # 20 requests/s and a bucket of 20; listing pages of one issue make ~35 requests, which
    # unpaced (this server's own pace is 1000/s) would empty the bucket in a fraction of
    # a second. Paced by X-RateLimit-Limit, none is refused.
    fake.rate_limit, fake.listing_page = 20, 1
    store = IssueStore.open(jira_settings)
    source = JiraSource(store, open_site(alice(site_url), jira_settings))
    both = "filterType=customjql&customjql=project in (ALPHA, BETA)&columnsBy=statusDuration"
    _csv(source, store, both + "&outputType=CSV")
    assert source.requests > 30
    assert fake.throttled == 0
    assert source.requests == len(fake.requests)


ALPHA_STATUS = "filterType=project&projectKey=ALPHA&columnsBy=statusDuration&outputType=CSV"
ALPHA_ASSIGNEE = ALPHA_STATUS.replace("statusDuration", "assigneeDuration")


@dataclass(frozen=True)
class Stores:
    """The fake site's issues imported from JSON (the expected side) and an empty mirror."""

    local: IssueStore
    mirror: IssueStore


@pytest.fixture
def stores(fake: FakeJira, jira_settings: Settings, tmp_path: Path) -> Stores:
    return Stores(_imported(tmp_path, fake, {"ALPHA", "BETA"}), IssueStore.open(jira_settings))


def test_a_report_fetches_only_its_fields_histories_and_the_next_completes_them(
    fake: FakeJira, site_url: str, jira_settings: Settings, stores: Stores
) -> None:
    local, mirror = stores.local, stores.mirror
    status, assignee = ALPHA_STATUS, ALPHA_ASSIGNEE
    bodies: list[dict[str, Any]] = []
    fake.on_bulkfetch = bodies.append

    def from_jira(query: str) -> str:
        return _csv(JiraSource(mirror, open_site(alice(site_url), jira_settings)), mirror, query)

    assert from_jira(status) == _csv(LocalSource(local), local, status)
    assert bodies and all(body["fieldIds"] == ["status"] for body in bodies)
    with mirror.engine.connect() as connection:
        changed = connection.scalar(
            sa.select(sa.func.count())
            .select_from(schema.change_items)
            .where(schema.change_items.c.field_id != "status")
        )
    assert changed == 0  # only the status histories were stored
    bodies.clear()
    # The assignee report needs the assignee's histories: the same issues again, with both.
    assert from_jira(assignee) == _csv(LocalSource(local), local, assignee)
    assert bodies and all(body["fieldIds"] == ["assignee", "status"] for body in bodies)
    bodies.clear()
    # Now the store holds both: neither report fetches again.
    assert from_jira(status) == _csv(LocalSource(local), local, status)
    assert from_jira(assignee) == _csv(LocalSource(local), local, assignee)
    assert bodies == []


def test_sync_fetches_cut_copies_whole(
    fake: FakeJira, site_url: str, jira_settings: Settings, stores: Stores
) -> None:
    local, mirror = stores.local, stores.mirror
    _csv(JiraSource(mirror, open_site(alice(site_url), jira_settings)), mirror, ALPHA_STATUS)
    bodies: list[dict[str, Any]] = []
    fake.on_bulkfetch = bodies.append
    outcome = sync_site(mirror, open_site(alice(site_url), jira_settings), "project = ALPHA")
    assert outcome.fetched == 15  # unchanged in Jira, but held with the status only
    assert bodies and all("fieldIds" not in body for body in bodies)
    bodies.clear()
    jira = JiraSource(mirror, open_site(alice(site_url), jira_settings))
    assert _csv(jira, mirror, ALPHA_ASSIGNEE) == _csv(LocalSource(local), local, ALPHA_ASSIGNEE)
    assert bodies == []
