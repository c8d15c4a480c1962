"""`groupByFields` on the list endpoints (SPEC §8.1, §8.2): JSON rows carry their issue's
group values in `groupByColumns`, in the export's row order; CSV stays the export's CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from dwelltime.config import Settings
from tests.api.conftest import User
from tests.api.report_schema import REPORT
from tests.api.test_reports import PAY, _export_csv, _records

GROUPED = {**PAY, "groupByFields": "issuetype,priority"}
GROUP_TITLES = {"issuetype": "Issue Type", "priority": "Priority"}


def _walk(client: httpx.Client, user: User, params: dict[str, Any]) -> list[httpx.Response]:
    """Every page of `/rest/issues/v2`, following `nextPageToken` (JSON) or its header."""
    pages: list[httpx.Response] = []
    token: str | None = None
    while True:
        sent = {**params, **({"nextPageToken": token} if token else {})}
        response = client.get("/rest/issues/v2", params=sent, headers=user.headers)
        assert response.status_code == 200, response.text
        pages.append(response)
        token = response.headers.get("X-Next-Page-Token")
        if params.get("outputType", "json") == "json":
            token = response.json().get("nextPageToken")
        if token is None:
            return pages


def test_json_pages_carry_each_issues_group_values_in_the_exports_order(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path
) -> None:
    pages = [page.json() for page in _walk(client, alice, {**GROUPED, "pageSize": 9})]
    assert len(pages) > 1 and len({body["now"] for body in pages}) == 1
    keys: list[str] = []
    groups: dict[str, dict[str, str | None]] = {}
    for body in pages:
        jsonschema.validate(body, REPORT)
        header = body["table"]["header"]
        assert [c["id"] for c in header["groupByColumns"]] == list(GROUP_TITLES)
        assert [c["value"] for c in header["groupByColumns"]] == list(GROUP_TITLES.values())
        assert header["fieldColumns"] == []  # group fields are not field columns
        for row in body["table"]["body"]["rows"]:
            key = row["headerColumns"][0]["value"]
            keys.append(key)
            assert [c["id"] for c in row["groupByColumns"]] == list(GROUP_TITLES)
            groups[key] = {c["id"]: c["value"] for c in row["groupByColumns"]}
    # The same issues as the export, once each, in its order; each row's group values are
    # what the export shows as field columns for that issue.
    with_fields = {**PAY, "fields": "issuetype,priority"}
    export = _records(_export_csv(api_settings, with_fields, pages[0]["now"], tmp_path))
    assert keys == list(export) and len(keys) == len(set(keys)) == pages[0]["total"]
    for key, values in groups.items():
        assert values == {f: export[key].get(title) for f, title in GROUP_TITLES.items()}


def test_group_fields_that_are_also_field_columns_appear_in_both(
    client: httpx.Client, alice: User
) -> None:
    params: dict[str, str | int] = {**GROUPED, "fields": "assignee,priority", "pageSize": 5}
    body = client.get("/rest/issues", params=params, headers=alice.headers).json()
    jsonschema.validate(body, REPORT)
    header = body["table"]["header"]
    assert [c["id"] for c in header["groupByColumns"]] == ["issuetype", "priority"]
    assert [c["id"] for c in header["fieldColumns"]] == ["assignee", "priority"]
    for row in body["table"]["body"]["rows"]:
        (grouped,) = [c["value"] for c in row["groupByColumns"] if c["id"] == "priority"]
        (field,) = [c["value"] for c in row["fieldColumns"] if c["id"] == "priority"]
        assert grouped == field


@pytest.mark.parametrize("output", ["csv", "jsonSimplified"])
def test_csv_and_simplified_walks_with_group_fields_are_the_exports_csv(
    client: httpx.Client, alice: User, api_settings: Settings, tmp_path: Path, output: str
) -> None:
    pages = _walk(client, alice, {**GROUPED, "outputType": output, "pageSize": 13})
    now = int(pages[0].headers["X-Report-Now"])
    export = _export_csv(api_settings, GROUPED, now, tmp_path).decode("utf-8-sig").splitlines()
    assert len(pages) > 1
    if output == "csv":
        lines = [
            line for page in pages for line in page.text.removeprefix("\ufeff").splitlines()[1:]
        ]
        assert {page.text.removeprefix("\ufeff").splitlines()[0] for page in pages} == {export[0]}
        assert lines == export[1:]
    else:
        bodies = [page.json() for page in pages]
        assert all(body["columns"] == export[0].split(",") for body in bodies)
        keys = [row[0] for body in bodies for row in body["rows"]]
        assert keys == [line.split(",", 1)[0] for line in export[1:]]
