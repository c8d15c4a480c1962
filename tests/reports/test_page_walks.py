"""A `/rest/issues/v2` walk is one report: later pages take the whole selection's total
and columns from the token the first page signed, not from the store again, so a store
that changes mid-walk cannot change the walk's columns or its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.domain.issues import History, Status
from dwelltime.reports import service as service_module
from dwelltime.reports.service import ReportService
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.tokens import load_secret
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue, status_item

EVERY_ISSUE = {
    "filterType": ["customjql"],
    "customjql": ["created is not empty"],
    "columnsBy": ["statusDuration"],
    "outputType": ["csv"],
    "pageSize": ["15"],
}


def _page(service: ReportService, token: str | None) -> tuple[list[str], str | None, str]:
    raw = {**EVERY_ISSUE, **({"nextPageToken": [token]} if token else {})}
    answer = service.token_page("alice", raw, None)
    lines = b"".join(answer.chunks()).decode("utf-8-sig").splitlines()
    return lines, answer.headers.get("X-Next-Page-Token"), answer.headers["X-Total-Count"]


def test_later_pages_keep_the_first_pages_total_and_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path)
    store = IssueStore.open(settings)
    write_demo(store, 40)
    service = ReportService(store, settings, load_secret(settings))
    first, token, total = _page(service, None)
    assert total == "40" and token is not None

    # The store changes: an issue joins the selection (last in the report order).
    late = make_issue(
        900_001,
        "ZZ",
        histories=(History(90_000_101, T0 + DAY_MS, None, None, (status_item("1", "5"),)),),
    )
    store.write(StoreData(site=TEST_SITE, issues=[late]))

    def asked(*_: object) -> object:
        raise AssertionError("a later page asked the store for what its token carries")

    monkeypatch.setattr(IssueStore, "summary", asked)
    keys: list[str] = [line.split(",", 1)[0] for line in first[1:]]
    while token is not None:
        lines, token, page_total = _page(service, token)
        assert lines[0] == first[0] and page_total == "40"
        keys += [line.split(",", 1)[0] for line in lines[1:]]
    assert len(keys) == len(set(keys)) == 40 and "ZZ-900001" not in keys


def _json_pages(service: ReportService) -> list[bytes]:
    """The first, a middle and the last `/rest/issues` page as JSON, whole."""
    pages = []
    for start in ("0", "15", "45"):
        raw = {**EVERY_ISSUE, "outputType": ["json"], "startIssueIndex": [start]}
        pages.append(b"".join(service.page("alice", raw, None).chunks()))
    return pages


def test_pages_from_remembered_counts_and_columns_equal_fresh_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store remembers a selection's total and columns per generation: pages answered
    from them (warm) are byte for byte those of a store that never saw the selection
    (cold), before and after a write that adds an issue and a status column."""
    monkeypatch.setattr(service_module, "_now_ms", lambda: T0 + 400 * DAY_MS)
    settings = Settings(home=tmp_path)
    store = IssueStore.open(settings)
    write_demo(store, 60)
    secret = load_secret(settings)

    def cold() -> list[bytes]:
        return _json_pages(ReportService(IssueStore.open(settings), settings, secret))

    warm = ReportService(store, settings, secret)
    before = _json_pages(warm)
    assert _json_pages(warm) == before == cold()

    moved = History(90_000_201, T0 + DAY_MS, None, None, (status_item("1", "777"),))
    late = make_issue(900_002, "ZZ", histories=(moved,))
    news = StoreData(site=TEST_SITE, issues=[late], statuses=[Status("777", "Later", "new")])
    IssueStore.open(settings).write(news)
    after = _json_pages(warm)
    assert after == cold()
    assert b'"total": 61' in after[0] and b'"total": 60' in before[0]
    assert b'"777"' in after[0] and b'"777"' not in before[0]
