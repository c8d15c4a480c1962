"""Hand-written hostile requests: every answer is 2xx or 4xx, and 4xx carries the envelope."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.api.conftest import User
from tests.api.envelope import assert_envelope, assert_never_500

VALID = {
    "filterType": "project",
    "projectKey": "PAY",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}
TEN_THOUSAND_STATUSES = ",".join(str(index) for index in range(10_000))

HOSTILE_PARAMS = [
    pytest.param({**VALID, "projectKey": "A" * 200_000}, id="huge-project-key"),
    pytest.param({**VALID, "projectKey": "PAY' OR '1'='1"}, id="sql-injection-key"),
    pytest.param(
        {**VALID, "filterType": "customjql", "customjql": "project = PAY; DROP TABLE issues"},
        id="sql-injection-jql",
    ),
    pytest.param(
        {**VALID, "filterType": "customjql", "customjql": "(" * 5000 + "project = PAY"},
        id="deep-jql",
    ),
    pytest.param({**VALID, "outputType": "PDF"}, id="unknown-output-type"),
    pytest.param({**VALID, "columnsBy": "<script>alert(1)</script>"}, id="script-columns-by"),
    pytest.param({**VALID, "calendar": "../../etc/passwd"}, id="path-calendar"),
    pytest.param({**VALID, "calendar": "1\x00"}, id="nul-calendar"),
    pytest.param({**VALID, "statuses": TEN_THOUSAND_STATUSES}, id="ten-thousand-statuses"),
    pytest.param({**VALID, "statuses": "-1,x,🙂"}, id="bad-statuses"),
    pytest.param({**VALID, "groups": "[{"}, id="broken-groups-json"),
    pytest.param({**VALID, "groups": json.dumps([{"name": "x" * 10_000}] * 500)}, id="big-groups"),
    pytest.param({**VALID, "dbsMetrics": '{"a": 1}'}, id="dbs-not-array"),
    pytest.param({**VALID, "startDate": "9999-99-99"}, id="bad-date"),
    pytest.param({**VALID, "startDate": "0001-01-01", "endDate": "9999-12-31"}, id="extreme-dates"),
    pytest.param({**VALID, "trimHistoryStartDate": "2030-01-01"}, id="trim-after-now"),
    pytest.param(
        {**VALID, "fields": ",".join(f"customfield_{i}" for i in range(2000))}, id="fields"
    ),
    pytest.param({**VALID, "paramSetId": "' OR 1=1 --"}, id="param-set-injection"),
    pytest.param({**VALID, "includeDeletedStatuses": "maybe"}, id="bad-boolean"),
    pytest.param({**VALID, "viewFormat": "DAYS", "dayLength": "BUSINESSDAYS"}, id="upper-enums"),
]


@pytest.mark.parametrize("params", HOSTILE_PARAMS)
def test_hostile_parameters_as_form(
    client: httpx.Client, alice: User, params: dict[str, str]
) -> None:
    response = client.post("/rest/export", data=params, headers=alice.headers)
    assert_never_500(response)


@pytest.mark.parametrize("params", HOSTILE_PARAMS)
def test_hostile_parameters_as_json(
    client: httpx.Client, alice: User, params: dict[str, str]
) -> None:
    response = client.post("/rest/export", json=params, headers=alice.headers)
    assert_never_500(response)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({**VALID, "statuses": {"nested": [1, 2]}}, id="object-where-list"),
        pytest.param({**VALID, "outputType": 42}, id="number-enum"),
        pytest.param({**VALID, "outputType": ["CSV", "XLSX"]}, id="two-output-types"),
        pytest.param({**VALID, "groups": 5}, id="number-groups"),
        pytest.param({**VALID, "projectKey": None}, id="null-key"),
        pytest.param({**VALID, "includeDeletedStatuses": True, "statuses": [1, 2.5]}, id="types"),
        pytest.param({**VALID, "statuses": list(range(10_000))}, id="ten-thousand-statuses"),
    ],
)
def test_wrongly_typed_json(client: httpx.Client, alice: User, document: dict[str, Any]) -> None:
    response = client.post("/rest/export", json=document, headers=alice.headers)
    assert_never_500(response)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b"{", "application/json", 400, id="truncated-json"),
        pytest.param(b"[1, 2]", "application/json", 400, id="json-array"),
        pytest.param(b"null", "application/json", 400, id="json-null"),
        pytest.param(b'"text"', "application/json", 400, id="json-string"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", 400, id="deep-json"),
        pytest.param(b"\xff\xfe\x00", "application/json", 400, id="not-utf8"),
        pytest.param(b"filterType=project", "text/plain", 415, id="text-plain"),
        pytest.param(b"<export/>", "application/xml", 415, id="xml"),
        pytest.param(b"x" * 1_100_000, "application/json", 413, id="too-large"),
    ],
)
def test_unusable_bodies(
    client: httpx.Client, alice: User, body: bytes, content_type: str, status: int
) -> None:
    headers = {**alice.headers, "Content-Type": content_type}
    response = client.post("/rest/export", content=body, headers=headers)
    assert_envelope(response, status)


@pytest.mark.parametrize(
    ("method", "path", "status", "about_an_export"),
    [
        pytest.param("PUT", "/rest/export", 405, False, id="put"),
        pytest.param("PATCH", "/rest/export/x", 405, False, id="patch"),
        pytest.param("GET", "/rest/nothing-here", 404, False, id="unknown-route"),
        pytest.param("GET", "/rest/export/" + "9" * 5000, 404, True, id="long-id"),
        pytest.param("GET", "/rest/export/%2e%2e%2f%2e%2e%2fetc", 404, False, id="dot-dot-id"),
        pytest.param("GET", "/rest/export/ünïcødé/download", 404, True, id="unicode-id"),
        pytest.param("GET", "/rest/export?pageNumber=99999999999999999999", 400, False, id="page"),
        pytest.param("GET", "/rest/export?pageSize=1e3", 400, False, id="float-size"),
    ],
)
def test_odd_requests(
    client: httpx.Client, alice: User, method: str, path: str, status: int, about_an_export: bool
) -> None:
    response = client.request(method, path, headers=alice.headers)
    body = assert_envelope(response, status, export_id=response.json().get("exportId"))
    assert ("exportId" in body) == about_an_export


def test_a_huge_query_string_is_refused_cleanly(client: httpx.Client, alice: User) -> None:
    # Built by hand: commas stay literal, so ~49 kB fits in one request line.
    query = "&".join(f"{name}={value}" for name, value in VALID.items())
    url = f"/rest/export?{query}&statuses={TEN_THOUSAND_STATUSES}"
    response = client.post(url, headers=alice.headers)
    assert_never_500(response)
    assert response.headers["content-type"] == "application/json"
