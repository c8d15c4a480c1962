"""The synchronous report endpoints read as an export of the same token reads: a
Jira-bound token through the mirror with Jira's permissions, a site-bound token only its
site of the store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from dwelltime.config import Settings
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.api.envelope import assert_envelope
from tests.sources.jira.bound import make_token
from tests.sources.jira.fake_jira import FakeJira

BOTH = {"filterType": "customjql", "customjql": "project in (ALPHA, BETA)"}
#: Open visits end here rather than at each request's `now`, so two pages compare equal.
LIST = {
    "columnsBy": "statusDuration",
    "outputType": "csv",
    "pageSize": "100",
    "trimHistoryEndDate": "2026-01-01",
}
FETCHES = ("/rest/api/3/changelog/bulkfetch", "/rest/api/2/issue/")


def _page(
    client: httpx.Client, token: str, path: str = "/rest/issues", **params: str
) -> httpx.Response:
    answer = client.get(
        path, params={**LIST, **params}, headers={"Authorization": f"TISJWT {token}"}
    )
    assert answer.status_code == 200, answer.text
    return answer


def _rows(answer: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))


def test_a_page_shows_only_what_the_users_jira_credentials_see(
    service: httpx.Client, alice_token: str, bob_token: str, fake: FakeJira
) -> None:
    alices = _rows(_page(service, alice_token, **BOTH))
    assert {row["Key"].split("-")[0] for row in alices} == {"ALPHA", "BETA"}
    # ALPHA is in the store now (Alice's page mirrored it), yet Jira decides Bob's view.
    bobs = _page(service, bob_token, **BOTH)
    assert {row["Key"].split("-")[0] for row in _rows(bobs)} == {"BETA"}
    assert bobs.headers["X-Total-Count"] == "15"
    single = {"issueKey": "ALPHA-1", "outputType": "csv", "columnsBy": "statusDuration"}
    hers = service.get(
        "/rest/issue", params=single, headers={"Authorization": f"TISJWT {alice_token}"}
    )
    assert [row["Key"] for row in _rows(hers)] == ["ALPHA-1"]
    his = service.get(
        "/rest/issue", params=single, headers={"Authorization": f"TISJWT {bob_token}"}
    )
    assert his.status_code == 404, his.text


def test_a_jira_page_reads_through_the_mirror_and_only_its_window(
    service: httpx.Client,
    alice_token: str,
    fake: FakeJira,
    site_url: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    window = _page(service, alice_token, pageSize="5", startIssueIndex="10", **BOTH)
    assert window.headers["X-Total-Count"] == "30"
    assert [row["Key"] for row in _rows(window)] == [f"{p}-{n}" for p, n in _keys(11, 15)]
    # Only the window's five issues were fetched (one page of fields, one of changelogs).
    assert sum(fake.count(path) for path in FETCHES) == 1
    every_id = [int(issue["id"]) for issue in fake.issues]
    assert len(IssueStore.open(settings).site_rows(site_url, every_id)) == 5

    whole = _page(service, alice_token, **BOTH)
    asked = len(fake.requests)
    again = _page(service, alice_token, **BOTH)
    # Nothing changed in Jira: the second page costs the status catalog and the listing.
    assert fake.requests[asked:] == ["GET /rest/api/3/status", "POST /rest/api/3/search/jql"]
    assert again.text == whole.text
    # A token bound to the site (no credentials) reads the store's copy: the same numbers.
    site = make_token(settings, tmp_path, "sita", "--site", site_url)
    assert _page(service, site, **BOTH).text == whole.text


def test_a_site_bound_token_pages_its_site_only(
    service: httpx.Client, alice_token: str, settings: Settings, tmp_path: Path, fake: FakeJira
) -> None:
    write_demo(IssueStore.open(settings), 40)
    everything = {"filterType": "customjql", "customjql": 'created >= "2000-01-01"'}
    _page(service, alice_token, **BOTH)  # mirrors the fake site's 30 issues
    demo = make_token(settings, tmp_path, "dora", "--site", "demo")
    root = make_token(settings, tmp_path, "root")
    assert _page(service, demo, **everything).headers["X-Total-Count"] == "40"
    assert _page(service, root, **everything).headers["X-Total-Count"] == "70"
    aggregated = service.get(
        "/rest/aggregation",
        params={**LIST, **everything, "aggregationType": "sum"},
        headers={"Authorization": f"TISJWT {demo}"},
    )
    assert aggregated.status_code == 200, aggregated.text
    assert [row["Issue Count"] for row in _rows(aggregated)] == ["40"]


def _keys(first: int, last: int) -> list[tuple[str, int]]:
    """Keys of the fixture issues `first`..`last` in id order (ALPHA odd, BETA even)."""
    return [("ALPHA" if n % 2 else "BETA", n) for n in range(first, last + 1)]


@pytest.mark.parametrize(
    ("user", "search"),
    [("alice", "POST /rest/api/3/search/jql"), ("bob", "GET /rest/api/2/search")],
    ids=["cloud", "data-center"],
)
def test_jql_jira_refuses_is_a_400_naming_jiras_words_not_a_502(
    service: httpx.Client, request: pytest.FixtureRequest, user: str, search: str
) -> None:
    token = request.getfixturevalue(f"{user}_token")
    jql = 'issueFunction in linkedIssuesOf("project = BETA")'
    refused = service.get(
        "/rest/issues",
        params={**LIST, "filterType": "customjql", "customjql": jql},
        headers={"Authorization": f"TISJWT {token}"},
    )
    said = " ".join(assert_envelope(refused, 400)["messages"])
    assert f"answered {search} with 400" in said
    assert "cannot read the JQL clause" in said
