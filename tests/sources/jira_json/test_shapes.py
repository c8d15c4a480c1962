"""Every input shape `dwelltime import` accepts, built small in each test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dwelltime.config import Settings
from dwelltime.sources.jira_json.importer import FileResult, import_files
from dwelltime.sources.store import schema
from dwelltime.sources.store.issue_store import IssueStore
from tests.sources.issue_factory import TEST_SITE, jira_history, jira_issue


def _write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _import(settings: Settings, *paths: Path, statuses: Path | None = None) -> list[FileResult]:
    return list(import_files(IssueStore.open(settings), paths, statuses))


def _rows(settings: Settings, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    with IssueStore.open(settings).engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _histories(settings: Settings) -> list[tuple[Any, ...]]:
    table = schema.histories
    return _rows(
        settings,
        sa.select(table.c.issue_id, table.c.id, table.c.created_ms).order_by(
            table.c.issue_id, table.c.id
        ),
    )


ISSUE = jira_issue(1, "AB-1")
ADF = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]}


@pytest.mark.parametrize(
    ("document", "issues"),
    [
        pytest.param({"startAt": 0, "total": 1, "issues": [ISSUE]}, 1, id="v2-search"),
        pytest.param(
            {
                "issues": [jira_issue(2, "AB-2", extra_fields={"description": ADF})],
                "nextPageToken": "x",
            },
            1,
            id="v3-search-with-adf",
        ),
        pytest.param([ISSUE, jira_issue(2, "AB-2")], 2, id="array"),
        pytest.param(ISSUE, 1, id="single-issue"),
        pytest.param({"issues": []}, 0, id="empty-search"),
    ],
)
def test_issue_documents(settings: Settings, tmp_path: Path, document: Any, issues: int) -> None:
    [result] = _import(settings, _write(tmp_path / "in.json", document))
    assert result.error is None and result.counts is not None
    assert result.counts.issues == issues
    assert result.counts.histories == issues
    assert result.counts.status_changes == issues


def test_ndjson(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "issues.ndjson"
    lines = [json.dumps(jira_issue(i, f"AB-{i}")) for i in (1, 2, 3)]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    [result] = _import(settings, path)
    assert result.counts is not None and result.counts.issues == 3


@pytest.mark.parametrize(
    ("created", "expected_ms"),
    [
        pytest.param("2024-01-02T10:00:00.123+0800", 1704160800123, id="offset-0800"),
        pytest.param("2024-01-02T02:00:00.123Z", 1704160800123, id="zulu"),
        pytest.param("2024-01-02T02:00:00.123+00:00", 1704160800123, id="offset-colon"),
        pytest.param(1704160800123, 1704160800123, id="epoch-ms"),
    ],
)
def test_timestamps(settings: Settings, tmp_path: Path, created: Any, expected_ms: int) -> None:
    issue = jira_issue(1, "AB-1", created=created, histories=[jira_history(5, "1", "3", created)])
    _import(settings, _write(tmp_path / "in.json", issue))
    assert _rows(settings, sa.select(schema.issues.c.created_ms)) == [(expected_ms,)]
    assert _histories(settings) == [(1, 5, expected_ms)]


def test_newest_first_histories(settings: Settings, tmp_path: Path) -> None:
    histories = [
        jira_history(12, "5", "6", "2024-01-04T10:00:00.000+0800"),
        jira_history(11, "3", "5", "2024-01-03T10:00:00.000+0800"),
    ]
    [result] = _import(
        settings, _write(tmp_path / "in.json", jira_issue(1, "AB-1", histories=histories))
    )
    assert result.counts is not None and result.counts.histories == 2
    assert [h[1] for h in _histories(settings)] == [11, 12]


def test_changelog_page_merges_into_its_issue(settings: Settings, tmp_path: Path) -> None:
    issue = jira_issue(1, "AB-1", histories=[jira_history(10, "1", "3")], total=3)
    [search] = _import(settings, _write(tmp_path / "search.json", {"issues": [issue]}))
    assert search.warnings and "1 of 3 histories" in search.warnings[0]
    page = {
        "self": f"{TEST_SITE}/rest/api/3/issue/1/changelog?startAt=0",
        "isLast": True,
        "values": [jira_history(10, "1", "3"), jira_history(11, "3", "5")],
    }
    named = {"values": [jira_history(12, "5", "6")]}  # no self: the file name says the issue
    results = _import(
        settings, _write(tmp_path / "page.json", page), _write(tmp_path / "1-100.json", named)
    )
    assert [r.error for r in results] == [None, None]
    assert [h[1] for h in _histories(settings)] == [10, 11, 12]
    # The truncated search response again: the pages' histories stay.
    _import(settings, tmp_path / "search.json")
    assert [h[1] for h in _histories(settings)] == [10, 11, 12]


def test_changelog_before_its_issue_in_one_command(settings: Settings, tmp_path: Path) -> None:
    page = _write(tmp_path / "7-0.json", {"values": [jira_history(71, "3", "5")]})
    issue = _write(
        tmp_path / "issue.json", jira_issue(7, "AB-7", histories=[jira_history(70, "1", "3")])
    )
    results = _import(settings, page, issue)
    assert [r.path.name for r in results] == ["issue.json", "7-0.json"]
    assert [h[1] for h in _histories(settings)] == [70, 71]


def test_bulkfetch_with_epoch_ms(settings: Settings, tmp_path: Path) -> None:
    _import(settings, _write(tmp_path / "issue.json", jira_issue(1, "AB-1")))
    bulk = {
        "issueChangeLogs": [
            {"issueId": "1", "changeHistories": [jira_history(20, "3", "5", 1704400000000)]}
        ],
        "nextPageToken": None,
    }
    [result] = _import(settings, _write(tmp_path / "bulk.json", bulk))
    assert result.counts is not None and result.counts.status_changes == 1
    assert (1, 20, 1704400000000) in _histories(settings)


STATUSES = [
    {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
    {"id": "1", "name": "打开", "statusCategory": {"key": "new"}},
]


@pytest.mark.parametrize(
    "flag", [pytest.param(True, id="--statuses"), pytest.param(False, id="by-shape")]
)
def test_status_list(settings: Settings, tmp_path: Path, flag: bool) -> None:
    path = _write(tmp_path / "status.json", STATUSES)
    [result] = _import(settings, statuses=path) if flag else _import(settings, path)
    assert result.counts is not None and result.counts.statuses == 2
    table = schema.statuses
    assert _rows(settings, sa.select(table.c.id, table.c.name, table.c.category)) == [
        ("3", "In Progress", "indeterminate"),
        ("1", "打开", "new"),
    ]


GREENHOPPER = (
    "com.atlassian.greenhopper.service.sprint.Sprint@1f[id=12,rapidViewId=3,state=CLOSED,"
    "name=Sprint 4, the big one,goal=,startDate=2024-01-01T09:00:00.000+01:00,"
    "endDate=2024-01-15T09:00:00.000+01:00,completeDate=<null>,sequence=12]"
)
CLOUD_SPRINT = {
    "id": 13,
    "name": "Sprint 5",
    "state": "active",
    "boardId": 3,
    "startDate": "2024-01-15T08:00:00.000Z",
    "endDate": "2024-01-29T08:00:00.000Z",
}


def test_sprints_and_users(settings: Settings, tmp_path: Path) -> None:
    issue = jira_issue(1, "AB-1", extra_fields={"customfield_10020": [CLOUD_SPRINT, GREENHOPPER]})
    _import(settings, _write(tmp_path / "in.json", issue))
    assert _rows(settings, sa.select(schema.sprints).order_by(schema.sprints.c.id)) == [
        (12, "Sprint 4, the big one", "closed", 3, 1704096000000, 1705305600000, None),
        (13, "Sprint 5", "active", 3, 1705305600000, 1706515200000, None),
    ]
    assert _rows(settings, sa.select(schema.issue_sprints.c.sprint_id)) == [(12,), (13,)]
    assert _rows(settings, sa.select(schema.users.c.id, schema.users.c.display_name)) == [
        ("acc-1", "Ann"),
        ("acc-2", "Bob"),
    ]
    assert _rows(settings, sa.select(schema.projects)) == [("100", "AB", "Project")]


BAD_ITEM = jira_issue(3, "AB-3", histories=[{**jira_history(30, "1", "3"), "items": [["status"]]}])
NO_CREATED = jira_issue(4, "AB-4")
del NO_CREATED["fields"]["created"]
NO_KEY = jira_issue(5, "AB-5")
del NO_KEY["key"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('{"issues": [{"id": "1"', "byte 22", id="truncated"),
        pytest.param("[1, 2", "truncated", id="truncated-array"),
        pytest.param(
            json.dumps({"issues": [ISSUE, NO_KEY]}), "issues[1]: an issue has no key", id="no-key"
        ),
        pytest.param(json.dumps([ISSUE, NO_CREATED]), "AB-4: has no created date", id="no-created"),
        pytest.param(
            json.dumps(BAD_ITEM), "AB-3 history 30: a change item of unknown shape", id="item"
        ),
        pytest.param(json.dumps({"what": 1}), "is not a Jira response", id="unknown-object"),
        pytest.param(json.dumps(ISSUE) + "\n{oops\n", "line 2 is not JSON", id="ndjson-line"),
        pytest.param(
            json.dumps(jira_issue(6, "AB-6", created="yesterday")),
            "created is not a date",
            id="date",
        ),
        pytest.param(json.dumps({"values": []}), "does not say its issue", id="anonymous-page"),
        pytest.param(
            json.dumps({"self": "https://x/rest/api/3/project/search", "values": [{"id": "1"}]}),
            "not issues or changelogs",
            id="other-paged-list",
        ),
    ],
)
def test_malformed_file_is_rejected_whole(
    settings: Settings, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    good = _write(tmp_path / "good.json", jira_issue(9, "AB-9"))
    results = _import(settings, bad, good)
    assert results[0].error is not None
    assert str(bad) in results[0].error.message
    assert message in results[0].error.message
    assert results[1].error is None
    assert _rows(settings, sa.select(schema.issues.c.key)) == [("AB-9",)]


def test_unreadable_path_is_rejected(settings: Settings, tmp_path: Path) -> None:
    [result] = _import(settings, tmp_path / "missing.json")
    assert result.error is not None and "cannot be read" in result.error.message


def test_data_center_issue(settings: Settings, tmp_path: Path) -> None:
    history = jira_history(40, "1", "3", "2024-01-03T10:00:00.000+0100")
    del history["items"][0]["fieldId"]  # Server items name the field only
    history["author"] = {"key": "jdoe", "name": "jdoe", "displayName": "Jane Doe"}
    issue = jira_issue(4, "DC-4", histories=[history])
    issue["fields"]["assignee"] = {"name": "asmith", "key": "JIRAUSER10100", "displayName": "A S"}
    [result] = _import(settings, _write(tmp_path / "dc.json", {"issues": [issue]}))
    assert result.counts is not None and result.counts.status_changes == 1
    assert _rows(settings, sa.select(schema.issues.c.assignee_id)) == [("JIRAUSER10100",)]
    users = _rows(settings, sa.select(schema.users.c.id).order_by(schema.users.c.id))
    assert users == [("JIRAUSER10100",), ("acc-2",), ("jdoe",)]
