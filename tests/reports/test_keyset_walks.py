"""Walks of the synchronous list reports against the export: every page has the export's
columns (transitionCount's too, from `issues.visited_transitions`), the pages' rows are
the export's rows in its order, and a `/rest/issues/v2` walk continues after the last row
it showed (a keyset), so a write mid-walk neither repeats nor skips an issue that existed
at its first page, whatever the order (JQL ORDER BY with empty values, descending)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.domain.sites import DEMO_SITE
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.reports import service as service_module
from dwelltime.reports.service import ReportService
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.tokens import load_secret
from tests.sources.issue_factory import DAY_MS, T0, make_issue

#: The walks' `now`: the real one, as tokens expire after the retention counted from it.
NOW = time.time_ns() // 1_000_000
ISSUES = 45
PAGE = 7
Rows = list[list[str]]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(service_module, "_now_ms", lambda: NOW)
    settings = Settings(home=tmp_path / "home")
    write_demo(IssueStore.open(settings), ISSUES)
    return settings


def _service(settings: Settings) -> ReportService:
    return ReportService(IssueStore.open(settings), settings, load_secret(settings))


def _csv(content: bytes) -> Rows:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _export(settings: Settings, raw: dict[str, list[str]], tmp_path: Path) -> Rows:
    """The export's CSV List for the same parameters and `now`."""
    params = parse_params(
        {**raw, "outputType": ["CSV"]}, StoreParamContext(IssueStore.open(settings))
    )
    path = tmp_path / "export.csv"
    with path.open("wb") as out:
        run_report(params, StoreParamContext(IssueStore.open(settings)).source, NOW, out)
    return _csv(path.read_bytes())


def _v2_walk(
    service: ReportService,
    raw: dict[str, list[str]],
    between: Callable[[int], None] = lambda _: None,
) -> tuple[list[Rows], int]:
    """Every `/rest/issues/v2` page as CSV rows; `between(n)` runs before page n (n ≥ 1)."""
    pages: list[Rows] = []
    token: str | None = None
    while True:
        asked = {**raw, "outputType": ["csv"], "pageSize": [str(PAGE)]}
        if token is not None:
            between(len(pages))
            asked["nextPageToken"] = [token]
        answer = service.token_page("alice", asked, None)
        pages.append(_csv(b"".join(answer.chunks())))
        token = answer.headers.get("X-Next-Page-Token")
        if token is None:
            return pages, int(answer.headers["X-Total-Count"])


def _index_walk(service: ReportService, raw: dict[str, list[str]]) -> list[Rows]:
    """Every `/rest/issues` page as CSV rows."""
    pages = []
    for start in range(0, ISSUES, PAGE):
        asked = {
            **raw,
            "outputType": ["csv"],
            "pageSize": [str(PAGE)],
            "startIssueIndex": [str(start)],
        }
        pages.append(_csv(b"".join(service.page("alice", asked, None).chunks())))
    return pages


TRANSITIONS = {
    "filterType": ["customjql"],
    "customjql": ["created is not empty"],
    "columnsBy": ["transitionCount"],
}


@pytest.mark.parametrize("deleted", ["false", "true"])
def test_every_transition_count_page_has_the_exports_rows_and_columns(
    settings: Settings, tmp_path: Path, deleted: str
) -> None:
    raw = {**TRANSITIONS, "includeDeletedStatuses": [deleted]}
    export = _export(settings, raw, tmp_path)
    assert len(export) == ISSUES + 1 and len(export[0]) > 2 + PAGE  # more pairs than a page has
    for pages in (_v2_walk(_service(settings), raw)[0], _index_walk(_service(settings), raw)):
        assert len(pages) == -(-ISSUES // PAGE)
        assert all(page[0] == export[0] for page in pages)  # the export's columns, each page
        assert [row for page in pages for row in page[1:]] == export[1:]


ORDERS = [
    "created is not empty",
    "created is not empty ORDER BY resolved DESC",  # empty values first, then descending
    "created is not empty ORDER BY resolved ASC, priority DESC",  # empty values last
    "created is not empty ORDER BY status ASC, created DESC",  # long runs of equal values
]


@pytest.mark.parametrize("jql", ORDERS)
def test_a_v2_walk_is_the_export_in_its_order(settings: Settings, tmp_path: Path, jql: str) -> None:
    raw = {"filterType": ["customjql"], "customjql": [jql], "columnsBy": ["statusDuration"]}
    export = _export(settings, raw, tmp_path)
    pages, total = _v2_walk(_service(settings), raw)
    assert total == ISSUES
    assert [row for page in pages for row in page[1:]] == export[1:]


@pytest.mark.parametrize("jql", ORDERS)
@pytest.mark.parametrize("change", ["insert", "delete"])
def test_a_write_mid_walk_neither_repeats_nor_skips_an_issue(
    settings: Settings, tmp_path: Path, jql: str, change: str
) -> None:
    """Before the third page, a new issue that sorts first (the lowest Jira id, the oldest
    dates), or the deletion of an issue the first page showed: a position would then show
    an issue twice (the insert) or skip one (the delete). An issue stored mid-walk is a
    new walk's."""
    raw = {"filterType": ["customjql"], "customjql": [jql], "columnsBy": ["statusDuration"]}
    keys = [row[0] for row in _export(settings, raw, tmp_path)[1:]]
    store = IssueStore.open(settings)

    def write(page: int) -> None:
        if page != 2:
            return
        if change == "insert":
            first = make_issue(1, "AAA", created_ms=T0 - 100 * DAY_MS)
            store.write(StoreData(site=DEMO_SITE, issues=[first]))
        else:
            assert store.delete_issues(DEMO_SITE, [_jira_id(store, keys[3])]) == 1

    pages, total = _v2_walk(_service(settings), raw, write)
    assert total == ISSUES
    assert [row[0] for page in pages for row in page[1:]] == keys


def _jira_id(store: IssueStore, key: str) -> int:
    with store.engine.connect() as connection:
        query = sa.select(schema.issues.c.jira_id).where(schema.issues.c.key == key)
        return int(connection.execute(query).scalar_one())
