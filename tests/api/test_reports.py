"""The synchronous endpoints over real HTTP (SPEC §8): JSON shapes, the export's numbers for
the same `now`, paging in both styles, tokens that cannot be forged, the error cases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from dwelltime.api.deps import Services
from dwelltime.config import Settings
from tests.api.conftest import User
from tests.api.envelope import assert_envelope
from tests.api.report_schema import REPORT, SIMPLIFIED
from tests.api.test_exports import expected_file

PAY = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}


@pytest.fixture(scope="module")
def every_status(api_settings: Settings) -> str:
    """All catalog ids: with `statuses` the column set is fixed, the same on every page."""
    from dwelltime.sources.store.issue_store import IssueStore
    from dwelltime.sources.store.source import LocalSource

    return ",".join(s.id for s in LocalSource(IssueStore.open(api_settings)).statuses())


def _records(content: bytes) -> dict[str, dict[str, str]]:
    """CSV rows by key, each as title -> non-empty text."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    return {row[0]: {t: v for t, v in zip(header, row, strict=True) if v} for row in rows[1:]}


def _export_csv(
    settings: Settings, params: dict[str, str], now_ms: int, tmp_path: Path, output: str = "CSV"
) -> bytes:
    return expected_file(settings, {**params, "outputType": output}, now_ms, tmp_path)


def test_issues_json_validates_and_equals_the_export_for_its_now(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path
) -> None:
    params = {**PAY, "fields": "assignee,created", "viewFormat": "hours"}
    response = client.get(
        "/rest/issues",
        params={**params, "pageSize": 5, "startIssueIndex": 3},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    jsonschema.validate(body, REPORT)
    assert body["pageSize"] == 5 and body["startIssueIndex"] == 3 and body["isLast"] is False
    header = body["table"]["header"]
    assert [c["id"] for c in header["headerColumns"]] == ["issuekey", "summary"]
    assert [c["id"] for c in header["fieldColumns"]] == ["assignee", "created"]

    export = _records(_export_csv(api_settings, params, body["now"], tmp_path))
    assert body["total"] == len(export)
    titles = {c["id"]: c["value"] for c in header["valueColumns"] + header["fieldColumns"]}
    rows = body["table"]["body"]["rows"]
    assert [row["headerColumns"][0]["value"] for row in rows] == list(export)[3:8]
    for row in rows:
        expected = export[row["headerColumns"][0]["value"]]
        for cell in row["valueColumns"] + row["fieldColumns"]:
            assert expected.get(titles[cell["id"]]) == cell["value"]
        for cell in row["valueColumns"]:
            # raw is the integer milliseconds behind the rendered hours.
            if cell["raw"] is not None:
                assert round(int(cell["raw"]) / 3_600_000, 2) == float(cell["value"])
                assert int(cell["count"]) >= 1  # visits of the status
            else:
                assert cell["count"] is None


def test_visit_counts_are_the_status_count_report(client: httpx.Client, alice: User) -> None:
    durations = client.get(
        "/rest/issue", params={"issueKey": "PAY-3", **PAY}, headers=alice.headers
    )
    counts = client.get(
        "/rest/issue",
        params={"issueKey": "PAY-3", **PAY, "columnsBy": "statusCount"},
        headers=alice.headers,
    )
    (duration_row,) = durations.json()["table"]["body"]["rows"]
    (count_row,) = counts.json()["table"]["body"]["rows"]
    entries = {cell["id"]: cell["value"] for cell in count_row["valueColumns"]}
    assert {cell["id"]: cell["count"] for cell in duration_row["valueColumns"]} == entries


def test_csv_and_simplified_pages_are_the_export_rows(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path, every_status: str
) -> None:
    params = {**PAY, "statuses": every_status}
    page = client.get(
        "/rest/issues",
        params={**params, "outputType": "csv", "pageSize": 7, "startIssueIndex": 10},
        headers=alice.headers,
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
    export = _export_csv(api_settings, params, int(page.headers["X-Report-Now"]), tmp_path)
    export_lines = export.decode("utf-8-sig").splitlines()
    page_lines = page.content.decode("utf-8-sig").splitlines()
    assert page_lines == [export_lines[0], *export_lines[11:18]]

    simplified = client.get(
        "/rest/issues", params={**params, "outputType": "jsonSimplified"}, headers=alice.headers
    ).json()
    jsonschema.validate(simplified, SIMPLIFIED)
    assert simplified["columns"] == export_lines[0].split(",")


@pytest.mark.parametrize("path", ["/rest/issues", "/rest/list"])
def test_walking_start_issue_index_covers_every_issue_once(
    client: httpx.Client, alice: User, path: str
) -> None:
    keys: list[str] = []
    start, total = 0, None
    while total is None or start < total:
        body = client.get(
            path,
            params={**PAY, "pageSize": 16, "startIssueIndex": start, "outputType": "json"},
            headers=alice.headers,
        ).json()
        total = body["total"]
        keys += [row["headerColumns"][0]["value"] for row in body["table"]["body"]["rows"]]
        start += 16
    assert len(keys) == total == len(set(keys)) > 16


@pytest.mark.parametrize(("path", "method"), [("/rest/issues/v2", "GET"), ("/rest/list2", "POST")])
def test_walking_next_page_tokens_gives_exactly_the_export_rows(
    client: httpx.Client,
    alice: User,
    api_settings: Settings,
    tmp_path: Path,
    every_status: str,
    path: str,
    method: str,
) -> None:
    params: dict[str, Any] = {**PAY, "statuses": every_status, "outputType": "csv", "pageSize": 9}
    lines: list[str] = []
    nows = set()
    token: str | None = None
    pages = 0
    while True:
        sent = {**params, **({"nextPageToken": token} if token else {})}
        if method == "GET":
            response = client.get(path, params=sent, headers=alice.headers)
        else:  # POST: the parameters in a JSON body (long JQL)
            response = client.post(path, json=sent, headers=alice.headers)
        assert response.status_code == 200, response.text
        page = response.content.decode("utf-8-sig").splitlines()
        lines += page[1:]
        nows.add(response.headers["X-Report-Now"])
        pages += 1
        token = response.headers.get("X-Next-Page-Token")
        if token is None:
            break
    assert len(nows) == 1 and pages > 1  # one report, one `now`
    export = _export_csv(api_settings, PAY | {"statuses": every_status}, int(nows.pop()), tmp_path)
    assert lines == export.decode("utf-8-sig").splitlines()[1:]


def test_the_json_page_carries_its_token_and_the_last_page_none(
    client: httpx.Client, alice: User
) -> None:
    first = client.get("/rest/issues/v2", params={**PAY, "pageSize": 60}, headers=alice.headers)
    body = first.json()
    jsonschema.validate(body, REPORT)
    assert body["total"] == 61 and len(body["table"]["body"]["rows"]) == 60
    following = {**PAY, "pageSize": 60, "nextPageToken": body["nextPageToken"]}
    last = client.get("/rest/issues/v2", params=following, headers=alice.headers).json()
    assert "nextPageToken" not in last and len(last["table"]["body"]["rows"]) == 1
    assert last["now"] == body["now"]


def test_a_tampered_or_foreign_next_page_token_is_400(client: httpx.Client, alice: User) -> None:
    first = client.get("/rest/issues/v2", params={**PAY, "pageSize": 5}, headers=alice.headers)
    token = first.json()["nextPageToken"]
    head, claims, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    for bad in (f"{head}.{claims}.{flipped}", token[:-10], "garbage"):
        response = client.get(
            "/rest/issues/v2",
            params={**PAY, "pageSize": 5, "nextPageToken": bad},
            headers=alice.headers,
        )
        assert assert_envelope(response, 400)["messages"][0].startswith("nextPageToken:")
    other = {**PAY, "projectKey": "OPS", "pageSize": 5, "nextPageToken": token}
    refused = assert_envelope(
        client.get("/rest/issues/v2", params=other, headers=alice.headers), 400
    )
    assert "other parameters" in refused["messages"][0]


def test_aggregation_csv_is_the_exports_and_json_has_issue_counts(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path
) -> None:
    params = {**PAY, "groupByFields": "issuetype"}
    answer = client.post(
        "/rest/aggregation",
        json={**params, "aggregationType": "average", "outputType": "csv"},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    now = int(answer.headers["X-Report-Now"])
    assert answer.content == _export_csv(api_settings, params, now, tmp_path, "CSVAVERAGE")

    body = client.get(
        "/rest/aggregation", params={**params, "aggregationType": "SUM"}, headers=alice.headers
    ).json()
    jsonschema.validate(body, REPORT)
    rows = body["table"]["body"]["rows"]
    assert sum(int(row["issueCount"]) for row in rows) == 61
    assert all(row["groupByColumns"][0]["id"] == "issuetype" for row in rows)
    refused = client.get("/rest/aggregation", params=PAY, headers=alice.headers)
    assert assert_envelope(refused, 400)["messages"][0].startswith("aggregationType:")


def test_single_issue_endpoints(client: httpx.Client, alice: User) -> None:
    one = client.get(
        "/rest/issue",
        params={"issueKey": "pay-2", "columnsBy": "statusCount"},
        headers=alice.headers,
    )
    body = one.json()
    jsonschema.validate(body, REPORT)
    assert [r["headerColumns"][0]["value"] for r in body["table"]["body"]["rows"]] == ["PAY-2"]
    visits = client.get(
        "/rest/issue/expanded",
        params={"issueKey": "PAY-2", "outputType": "jsonSimplified"},
        headers=alice.headers,
    ).json()
    jsonschema.validate(visits, SIMPLIFIED)
    assert visits["columns"][:3] == ["Key", "Summary", "Status"] and len(visits["rows"]) > 1
    missing = client.get(
        "/rest/issue",
        params={"issueKey": "PAY-99999", "columnsBy": "statusCount"},
        headers=alice.headers,
    )
    assert_envelope(missing, 404, "No issue 'PAY-99999' in the store.")
    bad = client.get("/rest/issue", params={"issueKey": "x' or 1=1"}, headers=alice.headers)
    assert assert_envelope(bad, 400)["messages"][0].startswith("issueKey:")
    xlsx = client.get(
        "/rest/issue",
        params={"issueKey": "PAY-2", "columnsBy": "statusCount", "outputType": "XLSX"},
        headers=alice.headers,
    )
    assert assert_envelope(xlsx, 400)["messages"][0].startswith("outputType:")


def test_small_export_is_the_export_file_up_to_its_limit(
    client: httpx.Client,
    alice: User,
    services: Services,
    api_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = {**PAY, "outputType": "XLSX"}
    answer = client.get("/rest/smallexport", params=params, headers=alice.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    csv_answer = client.get(
        "/rest/smallexport", params={**PAY, "outputType": "CSV"}, headers=alice.headers
    )
    now = int(csv_answer.headers["X-Report-Now"])
    assert csv_answer.content == _export_csv(api_settings, PAY, now, tmp_path)
    monkeypatch.setattr(services.reports._settings, "small_export_max_issues", 60)
    refused = client.get("/rest/smallexport", params=params, headers=alice.headers)
    assert "POST /rest/export" in assert_envelope(refused, 400)["messages"][0]


def test_exports_still_refuse_json_output(client: httpx.Client, alice: User) -> None:
    refused = client.post(
        "/rest/export", params={**PAY, "outputType": "json"}, headers=alice.headers
    )
    assert assert_envelope(refused, 400)["messages"][0].startswith("outputType:")
    assert json.loads(refused.content)["status"] == 400


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        pytest.param({"pageSize": "0"}, "pageSize:", id="page-size-zero"),
        pytest.param({"pageSize": "1001"}, "pageSize:", id="page-size-too-big"),
        pytest.param({"startIssueIndex": "-1"}, "startIssueIndex:", id="negative-start"),
        pytest.param({"outputType": "XLSX"}, "outputType:", id="file-type-on-a-page"),
        pytest.param({"columnsBy": "nonsense"}, "columnsBy:", id="report-parameter"),
    ],
)
def test_bad_paging_and_report_parameters_are_400(
    client: httpx.Client, alice: User, extra: dict[str, str], problem: str
) -> None:
    response = client.get("/rest/issues", params={**PAY, **extra}, headers=alice.headers)
    assert any(line.startswith(problem) for line in assert_envelope(response, 400)["messages"])


EVERY_PROJECT = {"filterType": "customjql", "customjql": "project in (PAY, OPS, WEB)"}


def test_every_page_has_the_exports_columns_with_same_named_statuses(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path
) -> None:
    """Two projects' `To Do` (10033, 10100) are told apart as in the export, on every page,
    also on pages whose own issues visit only one of them (no `statuses` given)."""
    params = {**EVERY_PROJECT, "columnsBy": "statusDuration"}
    lines: list[str] = []
    headers, token, nows = set(), None, set()
    while True:
        sent: dict[str, str | int] = {
            **params,
            "outputType": "csv",
            "pageSize": 7,
            **({"nextPageToken": token} if token else {}),
        }
        response = client.get("/rest/issues/v2", params=sent, headers=alice.headers)
        assert response.status_code == 200, response.text
        page = response.content.decode("utf-8-sig").splitlines()
        headers.add(page[0])
        lines += page[1:]
        nows.add(response.headers["X-Report-Now"])
        token = response.headers.get("X-Next-Page-Token")
        if token is None:
            break
    export = _export_csv(api_settings, params, int(nows.pop()), tmp_path)
    export_lines = export.decode("utf-8-sig").splitlines()
    assert "To Do (10033)" in export_lines[0] and "To Do (10100)" in export_lines[0]
    assert headers == {export_lines[0]} and lines == export_lines[1:]

    start, total = 0, None
    while total is None or start < total:
        body = client.get(
            "/rest/issues",
            params={**params, "pageSize": 11, "startIssueIndex": start},
            headers=alice.headers,
        ).json()
        total = body["total"]
        titles = [c["value"] for c in body["table"]["header"]["valueColumns"]]
        assert ["Key", "Summary", *titles] == export_lines[0].split(",")
        start += 11


def test_current_state_is_the_open_visit_and_its_cell(client: httpx.Client, alice: User) -> None:
    """With multiVisitBehavior=last the open visit is its status's cell; on normalHours it
    began `raw` milliseconds before `now`."""
    params: dict[str, str | int] = {**PAY, "multiVisitBehavior": "last", "pageSize": 40}
    body = client.get("/rest/issues", params=params, headers=alice.headers).json()
    jsonschema.validate(body, REPORT)
    for row in body["table"]["body"]["rows"]:
        (state,) = row["currentState"]
        cells = {cell["id"]: cell for cell in row["valueColumns"]}
        assert cells[state["id"]]["raw"] == state["raw"]
        assert cells[state["id"]]["value"] == state["value"]
        assert int(state["sinceRaw"]) + int(state["raw"]) == body["now"]


@pytest.mark.parametrize(
    "columns_by",
    ["statusCount", "transitionCount", "firstTransitionToStatusDate", "assigneeDuration"],
)
def test_every_visit_report_gives_each_cell_its_count(
    client: httpx.Client, alice: User, columns_by: str
) -> None:
    params: dict[str, str | int] = {**PAY, "columnsBy": columns_by, "pageSize": 30}
    body = client.get("/rest/issues", params=params, headers=alice.headers).json()
    jsonschema.validate(body, REPORT)
    counted = [c for row in body["table"]["body"]["rows"] for c in row["valueColumns"]]
    assert all(("count" in cell) for cell in counted)
    for cell in counted:
        if columns_by.endswith("Count"):  # a count report's count is its value
            assert cell["count"] == cell["value"]
        elif cell["raw"] is not None:
            assert int(cell["count"]) >= 1
    assert any(cell["count"] is not None for cell in counted)


def test_date_report_counts_are_the_status_count_report(client: httpx.Client, alice: User) -> None:
    def cells(columns_by: str) -> dict[str, str | None]:
        query = {"issueKey": "PAY-3", **PAY, "columnsBy": columns_by}
        (row,) = client.get("/rest/issue", params=query, headers=alice.headers).json()["table"][
            "body"
        ]["rows"]
        return {c["id"]: c["count"] for c in row["valueColumns"]}

    entries = cells("statusCount")
    assert cells("lastTransitionFromStatusDate") == entries == cells("statusDuration")
