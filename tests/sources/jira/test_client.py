"""The client against a misbehaving Jira: 429 bursts, 503 storms, a dead site, timeouts,
expired page tokens, a missing bulkfetch; requests bounded, failures that say why."""

from __future__ import annotations

import random
import socket

import httpx
import pytest

from dwelltime.errors import SourceError
from dwelltime.sources.jira.budget import SiteBudget
from dwelltime.sources.jira.client import JiraAnswer, JiraClient, RetryPolicy
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.editions import CloudApi, DataCenterApi, site_api
from tests.sources.jira.conftest import alice, bob
from tests.sources.jira.fake_jira import FakeJira, Fault


class FakeClock:
    """Time that passes only when slept, so waits are measured without waiting."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def _client(
    credentials: JiraCredentials,
    clock: FakeClock,
    policy: RetryPolicy | None = None,
    concurrency: int = 4,
) -> JiraClient:
    budget = SiteBudget(None, 1000.0, clock=clock.time, sleep=clock.sleep)
    return JiraClient(
        credentials,
        budget,
        policy=policy,
        concurrency=concurrency,
        sleep=clock.sleep,
        rng=random.Random(1),
    )


def test_a_429_burst_waits_as_retry_after_says(fake: FakeJira, site_url: str) -> None:
    fake.faults.append(Fault(429, 5, {"Retry-After": "3"}))
    clock = FakeClock()
    api = CloudApi(_client(alice(site_url), clock))
    assert len(api.listing("project = BETA")) == 15
    assert api.client.requests == 6
    assert 15.0 <= clock.slept < 16.0  # five pauses of 3 s, and nothing else worth naming


def test_a_503_storm_backs_off_with_capped_jitter(fake: FakeJira, site_url: str) -> None:
    fake.faults.append(Fault(503, 5))
    clock = FakeClock()
    policy = RetryPolicy(attempts=6, base_s=1.0, cap_s=4.0)
    api = DataCenterApi(_client(bob(site_url), clock, policy))
    assert len(api.listing("project = BETA")) == 15
    assert api.client.requests == 6
    assert 0 < clock.slept <= 1 + 2 + 4 + 4 + 4


def test_a_dead_jira_fails_with_what_it_answered_in_bounded_time(
    fake: FakeJira, site_url: str
) -> None:
    fake.dead = True
    clock = FakeClock()
    policy = RetryPolicy(attempts=4, base_s=1.0, cap_s=8.0)
    api = CloudApi(_client(alice(site_url), clock, policy))
    with pytest.raises(SourceError) as raised:
        api.listing("project = BETA")
    message = raised.value.message
    assert "did not answer POST /rest/api/3/search/jql after 4 attempts" in message
    assert "503 Service Unavailable" in message
    assert "token-alice" not in message
    assert api.client.requests == 4
    assert clock.slept <= 1 + 2 + 4


def test_a_retry_after_beyond_the_longest_wait_fails_at_once(fake: FakeJira, site_url: str) -> None:
    fake.faults.append(Fault(429, 10, {"Retry-After": "3600"}))
    clock = FakeClock()
    api = CloudApi(_client(alice(site_url), clock))
    with pytest.raises(SourceError, match="asked to wait 3600 s"):
        api.listing("project = BETA")
    assert api.client.requests == 1


def test_timeouts_are_retried_a_bounded_number_of_times(fake: FakeJira, site_url: str) -> None:
    fake.latency_s = 1.0
    clock = FakeClock()
    policy = RetryPolicy(attempts=2, timeout_s=0.05)
    api = CloudApi(_client(alice(site_url), clock, policy))
    with pytest.raises(SourceError, match=r"no answer within 0\.05 s"):
        api.statuses()
    assert api.client.requests == 2


def test_a_refused_connection_is_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    client = _client(alice(f"http://127.0.0.1:{port}"), clock, RetryPolicy(attempts=3))
    with pytest.raises(SourceError, match="the connection failed"):
        client.get("/rest/api/3/status")
    assert client.requests == 3


def test_wrong_credentials_are_not_retried(fake: FakeJira, site_url: str) -> None:
    clock = FakeClock()
    wrong = JiraCredentials(site_url, "cloud", "alice@example.com", "not-the-token")
    api = site_api(_client(wrong, clock))
    with pytest.raises(JiraAnswer) as raised:
        api.statuses()
    assert raised.value.status == 401
    assert "401 Unauthorized: You are not authenticated." in raised.value.message
    assert "not-the-token" not in raised.value.message
    assert api.client.requests == 1


def test_an_expired_page_token_restarts_the_listing(fake: FakeJira, site_url: str) -> None:
    fake.listing_page = 4
    fake.expire_tokens = 2
    api = CloudApi(_client(alice(site_url), FakeClock()))
    listing = api.listing("project = ALPHA")
    assert sorted(entry.key for entry in listing) == sorted(
        i["key"] for i in fake.issues if i["fields"]["project"]["key"] == "ALPHA"
    )
    assert len({entry.id for entry in listing}) == len(listing) == 15


def test_a_token_that_keeps_expiring_fails_clearly(fake: FakeJira, site_url: str) -> None:
    fake.listing_page = 4
    fake.expire_tokens = 100
    api = CloudApi(_client(alice(site_url), FakeClock()))
    with pytest.raises(SourceError, match="kept expiring the search's page token"):
        api.listing("project = ALPHA")


def test_without_bulkfetch_each_changelog_is_paged(fake: FakeJira, site_url: str) -> None:
    fake.bulkfetch = False
    api = CloudApi(_client(alice(site_url), FakeClock()))
    long_one = next(i for i in fake.issues if len(i["histories"]) > 100)
    # Asked for the status histories only, it gets every field's: /changelog cannot cut.
    fetched = api.fetch([int(long_one["id"])], frozenset({"status"}))
    assert fetched.fields is None
    changelog = fetched.document["issues"][0]["changelog"]
    assert [h["id"] for h in changelog["histories"]] == [h["id"] for h in long_one["histories"]]
    assert fake.count("/rest/api/3/issue/") == 2  # 100 + the rest


def test_requests_in_flight_stay_within_the_limit(fake: FakeJira, site_url: str) -> None:
    fake.latency_s = 0.02
    fake.bulkfetch = False
    api = CloudApi(_client(alice(site_url), FakeClock(), concurrency=2))
    api.fetch([int(i["id"]) for i in fake.issues])
    assert fake.count("/rest/api/3/issue/") >= 30
    assert fake.max_in_flight <= 2


def test_transport_errors_do_not_escape_as_httpx_errors() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed", request=request)

    budget = SiteBudget(None, 1000.0)
    client = JiraClient(
        alice("http://jira.invalid"),
        budget,
        policy=RetryPolicy(attempts=2, base_s=0.0),
        transport=httpx.MockTransport(broken),
    )
    with pytest.raises(SourceError, match="RemoteProtocolError"):
        client.get("/rest/api/3/status")
