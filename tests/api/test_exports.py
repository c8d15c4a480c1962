"""The five endpoints: shapes, ownership, downloads, aborts (in process; scaled out again
under `--topology=distributed`)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from dwelltime.api.deps import Services
from dwelltime.config import Settings
from dwelltime.exports.problems import (
    ALREADY_COMPLETED,
    NOT_COMPLETED,
    NOT_DOWNLOADABLE,
    NOT_FOUND,
)
from dwelltime.exports.records import ExportStore
from dwelltime.exports.status import ExportStatus
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from tests.api.conftest import User
from tests.api.envelope import assert_envelope
from tests.exports.factories import make_record

pytestmark = pytest.mark.export_service

CSV = {
    "filterType": "project",
    "projectKey": "PAY",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}


def own_base(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


def start(client: httpx.Client, user: User, **params: str) -> dict[str, Any]:
    response = client.post("/rest/export", params={**CSV, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(body) == ["exportId", "statusLink"]
    return body


def expected_file(settings: Settings, raw: dict[str, str], now_ms: int, tmp_path: Path) -> bytes:
    """What the report pipeline writes for the same parameters and `now`."""
    context = StoreParamContext(IssueStore.open(settings))
    params = parse_params({name: [value] for name, value in raw.items()}, context)
    destination = io.BytesIO()
    run_report(
        params,
        context.source,
        now_ms,
        destination,
        None,
        batch_size=settings.batch_size,
        workdir=tmp_path,
    )
    return destination.getvalue()


def test_start_status_list_download(
    client: httpx.Client, alice: User, services: Services, tmp_path: Path
) -> None:
    created = start(client, alice)
    export_id = created["exportId"]
    assert created["statusLink"] == f"{own_base(client)}/rest/export/{export_id}"
    status = client.get(f"/rest/export/{export_id}", headers=alice.headers).json()
    assert list(status)[:7] == [
        "exportId",
        "status",
        "created",
        "completed",
        "total",
        "message",
        "downloadLink",
    ]
    assert status["status"] == "Successful" and status["message"] is None
    assert status["completed"] == status["total"] > 0
    assert status["downloadLink"] == f"{created['statusLink']}/download"

    listing = client.get("/rest/export", headers=alice.headers).json()
    assert listing == {
        "elements": [status],
        "pageNumber": 0,
        "pageSize": 100,
        "total": 1,
        "last": True,
    }

    download = client.get(status["downloadLink"], headers=alice.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert status["fileName"] in download.headers["content-disposition"]
    assert int(download.headers["content-length"]) == len(download.content) == status["size"]
    assert download.headers["etag"]
    record = services.store.get(export_id)
    assert record is not None
    assert download.content == expected_file(services.settings, CSV, record.now_ms, tmp_path)


def test_range_requests_resume_a_download(client: httpx.Client, alice: User) -> None:
    export_id = start(client, alice)["exportId"]
    url = f"/rest/export/{export_id}/download"
    whole = client.get(url, headers=alice.headers).content
    part = client.get(url, headers={**alice.headers, "Range": "bytes=10-"})
    assert part.status_code == 206
    assert part.content == whole[10:]
    assert part.headers["content-range"] == f"bytes 10-{len(whole) - 1}/{len(whole)}"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param("bytes=abc", 400, id="malformed"),
        pytest.param("bytes=99999999-", 416, id="past-the-end"),
    ],
)
def test_bad_ranges_get_the_envelope(
    client: httpx.Client, alice: User, header: str, status: int
) -> None:
    export_id = start(client, alice)["exportId"]
    url = f"/rest/export/{export_id}/download"
    response = client.get(url, headers={**alice.headers, "Range": header})
    assert_envelope(response, status)
    if status == 416:
        assert response.headers["content-range"].startswith("bytes */")


def test_another_users_export_is_missing_on_every_endpoint(
    client: httpx.Client, alice: User, bob: User
) -> None:
    export_id = start(client, alice)["exportId"]
    for method, path in (
        ("GET", f"/rest/export/{export_id}"),
        ("GET", f"/rest/export/{export_id}/download"),
        ("DELETE", f"/rest/export/{export_id}"),
    ):
        theirs = client.request(method, path, headers=bob.headers)
        missing = client.request(method, path.replace(export_id, "no-such-id"), headers=bob.headers)
        body = assert_envelope(theirs, 404, NOT_FOUND, export_id)
        other = assert_envelope(missing, 404, NOT_FOUND, "no-such-id")
        assert body["messages"] == other["messages"] is None
    assert client.get("/rest/export", headers=bob.headers).json()["elements"] == []


def test_abort_after_success_is_the_completed_404(client: httpx.Client, alice: User) -> None:
    export_id = start(client, alice)["exportId"]
    response = client.delete(f"/rest/export/{export_id}", headers=alice.headers)
    assert_envelope(response, 404, ALREADY_COMPLETED, export_id)


def _queued(services: Services, owner: str) -> str:
    record = make_record(owner=owner)
    services.store.insert(record)
    return record.id


def test_queued_export_download_is_not_completed(
    client: httpx.Client, alice: User, services: Services
) -> None:
    export_id = _queued(services, alice.name)
    response = client.get(f"/rest/export/{export_id}/download", headers=alice.headers)
    assert_envelope(response, 404, NOT_COMPLETED, export_id)


def test_abort_a_queued_export_then_again(
    client: httpx.Client, alice: User, services: Services
) -> None:
    export_id = _queued(services, alice.name)
    aborted = client.delete(f"/rest/export/{export_id}", headers=alice.headers)
    assert aborted.status_code == 200
    body = aborted.json()
    assert body["status"] == "Aborted" and "downloadLink" not in body
    assert body["message"] is None and body["abortedBy"] == alice.name
    again = client.delete(f"/rest/export/{export_id}", headers=alice.headers)
    assert again.status_code == 200 and again.json() == body
    download = client.get(f"/rest/export/{export_id}/download", headers=alice.headers)
    failed = assert_envelope(download, 404, NOT_DOWNLOADABLE, export_id)
    assert failed["messages"] == [f"Aborted by {alice.name}."]


def test_a_failed_export_keeps_its_reason(
    client: httpx.Client, alice: User, services: Services
) -> None:
    record = make_record(owner=alice.name, status=ExportStatus.FAILED, message="Disk full.")
    services.store.insert(record)
    unchanged = client.delete(f"/rest/export/{record.id}", headers=alice.headers)
    assert unchanged.json()["status"] == "Failed"
    download = client.get(f"/rest/export/{record.id}/download", headers=alice.headers)
    assert assert_envelope(download, 404, NOT_DOWNLOADABLE, record.id)["messages"] == ["Disk full."]


def test_validation_lists_every_problem(client: httpx.Client, alice: User) -> None:
    response = client.post(
        "/rest/export",
        params={"filterType": "nope", "outputType": "PDF", "viewFormat": "years"},
        headers=alice.headers,
    )
    body = assert_envelope(response, 400, "Invalid parameters.")
    text = "\n".join(body["messages"])
    for name in ("filterType", "outputType", "viewFormat", "columnsBy"):
        assert name in text
    assert client.get("/rest/export", headers=alice.headers).json()["total"] == 0


@pytest.mark.in_process(
    "fills the user's queue with records written straight into the store, which only the "
    "inline executor leaves alone: any other scheduler starts some of them meanwhile"
)
def test_too_many_queued_is_429(
    client: httpx.Client, alice: User, services: Services, api_settings: Settings
) -> None:
    for _ in range(api_settings.max_queued_per_user):
        _queued(services, alice.name)
    response = client.post("/rest/export", params=CSV, headers=alice.headers)
    body = assert_envelope(response, 429)
    assert str(api_settings.max_queued_per_user) in body["messages"][0]


def test_pages_are_newest_first(client: httpx.Client, alice: User) -> None:
    ids = [start(client, alice)["exportId"] for _ in range(3)]
    first = client.get("/rest/export?pageSize=2", headers=alice.headers).json()
    second = client.get("/rest/export?pageSize=2&pageNumber=1", headers=alice.headers).json()
    assert [e["exportId"] for e in first["elements"]] == [ids[2], ids[1]]
    assert (first["total"], first["last"]) == (3, False)
    assert [e["exportId"] for e in second["elements"]] == [ids[0]]
    assert second["last"] is True


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("pageSize=0", id="size-zero"),
        pytest.param("pageSize=1001", id="size-over-max"),
        pytest.param("pageNumber=-1", id="negative-page"),
        pytest.param("pageSize=ten", id="not-a-number"),
    ],
)
def test_bad_paging_is_400(client: httpx.Client, alice: User, query: str) -> None:
    response = client.get(f"/rest/export?{query}", headers=alice.headers)
    body = assert_envelope(response, 400, "Invalid parameters.")
    assert query.split("=")[0] in body["messages"][0]


def test_json_and_form_bodies_are_accepted(client: httpx.Client, alice: User) -> None:
    as_json = client.post(
        "/rest/export",
        content=json.dumps({**CSV, "statuses": [1, 3], "includeDeletedStatuses": False}),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    as_form = client.post("/rest/export", data=CSV, headers=alice.headers)
    # The query string wins over the body.
    mixed = client.post(
        "/rest/export?outputType=XLSX", data={**CSV, "outputType": "PDF"}, headers=alice.headers
    )
    assert [r.status_code for r in (as_json, as_form, mixed)] == [200, 200, 200]
    status = client.get(f"/rest/export/{mixed.json()['exportId']}", headers=alice.headers)
    assert status.json()["outputType"] == "XLSX"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        pytest.param({}, None, id="own-host"),
        pytest.param(
            {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "reports.example.com"},
            "https://reports.example.com",
            id="x-forwarded",
        ),
        pytest.param(
            {"Forwarded": 'for=1.2.3.4;proto=https;host="proxy.example:8443"'},
            "https://proxy.example:8443",
            id="forwarded",
        ),
    ],
)
def test_links_follow_the_proxy(
    client: httpx.Client,
    alice: User,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    forwarded: dict[str, str],
    expected: str | None,
) -> None:
    # The test client stands for the reverse proxy, so its address is trusted.
    monkeypatch.setattr(services.settings, "forwarded_allow_ips", "127.0.0.1")
    expected = expected or own_base(client)
    response = client.post("/rest/export", params=CSV, headers={**alice.headers, **forwarded})
    body = response.json()
    assert body["statusLink"] == f"{expected}/rest/export/{body['exportId']}"


def test_health_and_metrics(client: httpx.Client, alice: User) -> None:
    start(client, alice)
    assert client.get("/healthz").json() == {"status": "ok"}
    metrics = client.get("/metrics").text
    assert 'dwelltime_exports{status="Successful"}' in metrics
    assert "dwelltime_queue_depth" in metrics
    assert "dwelltime_export_duration_seconds_bucket" in metrics
    assert "dwelltime_issues_processed_total" in metrics
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text  # the page must work without internet access
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/rest/export",
        "/rest/export/{exportId}",
        "/rest/export/{exportId}/download",
        "/healthz",
        "/metrics",
    }


def test_stored_params_keep_no_token(client: httpx.Client, alice: User, services: Services) -> None:
    response = client.post("/rest/export", params={**CSV, "tisjwt": alice.token, "junk": "x"})
    record = ExportStore(services.engine).get(response.json()["exportId"])
    assert record is not None
    assert alice.token not in record.params and "junk" not in record.params
