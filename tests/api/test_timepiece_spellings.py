"""Requests as Timepiece's own documentation writes them, each replayed against dwelltime.

Each test is named after the documented request; SPEC §2/§3 say they must work unchanged.
"""

from __future__ import annotations

import csv
import io

import httpx

from dwelltime import __version__
from dwelltime.api.deps import Services
from dwelltime.exports.status import ExportStatus
from tests.api.conftest import User
from tests.api.envelope import assert_envelope
from tests.api.test_exports import _queued


def _download(client: httpx.Client, user: User, params: dict[str, str]) -> bytes:
    started = client.post("/rest/export", params=params, headers=user.headers)
    assert started.status_code == 200, started.text
    export_id = started.json()["exportId"]
    status = client.get(f"/rest/export/{export_id}", headers=user.headers).json()
    assert status["status"] == ExportStatus.SUCCESSFUL.value, status
    return client.get(f"/rest/export/{export_id}/download", headers=user.headers).content


def test_eazybi_guide_filterType_customJQL_with_customJQL(
    client: httpx.Client, alice: User
) -> None:
    """Timepiece's eazyBI guide: `filterType=customJQL&customJQL=…` (names in camel case)."""
    documented = {
        "filterType": "customJQL",
        "customJQL": "project = PAY",
        "columnsBy": "statusDuration",
        "outputType": "CSV",
    }
    spelled = {
        "filterType": "customjql",
        "customjql": "project = PAY",
        "columnsBy": "statusDuration",
        "outputType": "CSV",
    }
    # Two exports have two `now`s, so open visits differ: the same issues and columns is the test.
    assert _keys_and_header(_download(client, alice, documented)) == _keys_and_header(
        _download(client, alice, spelled)
    )


def _keys_and_header(content: bytes) -> tuple[list[str], list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) > 1
    return rows[0], [row[0] for row in rows[1:]]


def test_every_parameter_name_matches_ignoring_case(client: httpx.Client, alice: User) -> None:
    shouting = {"FILTERTYPE": "project", "projectkey": "PAY", "COLUMNSBY": "statusCount"}
    body = {**shouting, "OutputType": "csv"}
    assert client.post("/rest/export", json=body, headers=alice.headers).status_code == 200


def test_two_spellings_that_disagree_are_refused(client: httpx.Client, alice: User) -> None:
    params = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusCount"}
    body = {**params, "outputType": "CSV", "OUTPUTTYPE": "XLSX"}
    refused = assert_envelope(client.post("/rest/export", json=body, headers=alice.headers), 400)
    assert refused["messages"] == ["outputType: expected one value, got 2 different ones"]


def test_older_docs_outputType_CSVSTDDEV(client: httpx.Client, alice: User) -> None:
    """The older docs' name of CSVSTANDARDDEVIATION."""
    params = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}
    older = _download(client, alice, {**params, "outputType": "CSVSTDDEV"})
    current = _download(client, alice, {**params, "outputType": "CSVSTANDARDDEVIATION"})
    # Two exports have two `now`s, so the values may differ: the aggregate table is the test.
    assert older.splitlines()[0] == current.splitlines()[0]
    assert b"Issue Count" in older.splitlines()[0] and len(older.splitlines()) == 2


def test_error_bodies_carry_pluginVersion(client: httpx.Client, alice: User) -> None:
    """Timepiece's error example has `pluginVersion`; dwelltime sends its own version."""
    answers = [
        client.get("/rest/export"),
        client.post("/rest/export", params={"outputType": "PDF"}, headers=alice.headers),
        client.get("/rest/export/nope", headers=alice.headers),
        client.get("/rest/nowhere", headers=alice.headers),
    ]
    for response in answers:
        assert response.status_code >= 400
        assert response.json()["pluginVersion"] == __version__


def test_abort_example_message_null_with_abortedBy(
    client: httpx.Client, alice: User, services: Services
) -> None:
    """Timepiece's DELETE example answers `message: null`; who aborted it is `abortedBy`."""
    export_id = _queued(services, alice.name)
    aborted = client.delete(f"/rest/export/{export_id}", headers=alice.headers).json()
    assert aborted["status"] == "Aborted"
    assert aborted["message"] is None and aborted["abortedBy"] == alice.name
    status = client.get(f"/rest/export/{export_id}", headers=alice.headers).json()
    assert status["message"] is None and status["abortedBy"] == alice.name
    listed = client.get("/rest/export", params={"pageSize": 1000}, headers=alice.headers).json()
    assert {"message": None, "abortedBy": alice.name}.items() <= next(
        e for e in listed["elements"] if e["exportId"] == export_id
    ).items()
    download = client.get(f"/rest/export/{export_id}/download", headers=alice.headers)
    assert assert_envelope(download, 404, export_id=export_id)["messages"] == [
        f"Aborted by {alice.name}."
    ]
