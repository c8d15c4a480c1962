"""GET /rest/export/{id}/aggregate: the summary view's numbers are the files' numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import numpy as np
import pytest

from dwelltime.api.deps import Services
from dwelltime.engine.summary import HISTOGRAM_BINS
from dwelltime.exports.problems import NO_SUMMARY, NOT_COMPLETED, NOT_DOWNLOADABLE
from dwelltime.exports.status import ExportStatus
from tests.api.conftest import User
from tests.api.envelope import assert_envelope
from tests.exports.factories import make_record

pytestmark = pytest.mark.export_service

REPORT = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}
#: Open visits end here instead of at each export's own `now`, so two exports started
#: seconds apart compute the same numbers (the demo data end on this day).
FIXED_END = {"trimHistoryEndDate": "2026-11-01"}


def _export(client: httpx.Client, user: User, **params: str) -> str:
    response = client.post("/rest/export", params={**REPORT, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    export_id: str = response.json()["exportId"]
    return export_id


def _rows(client: httpx.Client, user: User, export_id: str) -> list[list[str]]:
    response = client.get(f"/rest/export/{export_id}/download", headers=user.headers)
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _aggregate(client: httpx.Client, user: User, export_id: str) -> dict[str, Any]:
    response = client.get(f"/rest/export/{export_id}/aggregate", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _number(text: str) -> float | None:
    return float(text) if text else None


def test_averages_and_medians_are_the_aggregate_files(client: httpx.Client, alice: User) -> None:
    summary = _aggregate(
        client, alice, _export(client, alice, outputType="XLSX", viewFormat="hours", **FIXED_END)
    )
    for output_type, key in (("CSVAVERAGE", "average"), ("CSVMEDIAN", "median")):
        export_id = _export(client, alice, outputType=output_type, viewFormat="hours", **FIXED_END)
        header, *rows = _rows(client, alice, export_id)
        assert header[1:] == summary["columns"]
        assert len(rows) == len(summary["groups"]) == 1
        group = summary["groups"][0]
        assert group["issueCount"] == int(rows[0][0]) == summary["issueCount"]
        assert group[key] == [_number(cell) for cell in rows[0][1:]]
    assert summary["unit"] == "hours"
    assert summary["groupByFields"] == []


def test_histogram_counts_every_issue_by_its_total(client: httpx.Client, alice: User) -> None:
    export_id = _export(client, alice, outputType="CSV", viewFormat="days")
    header, *rows = _rows(client, alice, export_id)
    summary = _aggregate(client, alice, export_id)
    width = len(summary["columns"])
    totals = [
        sum(float(cell) for cell in row[-width:] if cell) for row in rows if any(row[-width:])
    ]
    bins = summary["totals"]["bins"]
    assert summary["totals"]["issues"] == len(totals) == sum(b["count"] for b in bins)
    assert len(bins) == HISTOGRAM_BINS
    assert bins[0]["from"] == 0 and abs(bins[-1]["to"] - max(totals)) < 0.01
    edges = [b["from"] for b in bins] + [bins[-1]["to"]]
    expected, _ = np.histogram(totals, bins=HISTOGRAM_BINS, range=(0.0, max(totals)))
    assert [b["count"] for b in bins] == expected.tolist()
    assert edges == sorted(edges)
    assert header[-width:] == summary["columns"]


def test_group_by_gives_one_group_per_row(client: httpx.Client, alice: User) -> None:
    params = {"groupByFields": "issuetype", "viewFormat": "hours"}
    summary = _aggregate(client, alice, _export(client, alice, outputType="CSV", **params))
    header, *rows = _rows(client, alice, _export(client, alice, outputType="CSVAVERAGE", **params))
    assert header[:2] == ["Issue Type", "Issue Count"]
    assert summary["groupByFields"] == ["Issue Type"]
    assert [g["groupBy"] for g in summary["groups"]] == [[row[0] or None] for row in rows]
    assert [g["issueCount"] for g in summary["groups"]] == [int(row[1]) for row in rows]
    assert sum(g["issueCount"] for g in summary["groups"]) == summary["issueCount"]


def test_date_reports_have_no_summary(client: httpx.Client, alice: User) -> None:
    export_id = _export(client, alice, columnsBy="firstTransitionToStatusDate", outputType="CSV")
    response = client.get(f"/rest/export/{export_id}/aggregate", headers=alice.headers)
    assert_envelope(response, 404, NO_SUMMARY, export_id)


def test_unfinished_failed_and_foreign_exports(
    client: httpx.Client, alice: User, bob: User, services: Services
) -> None:
    queued = make_record(owner=alice.name)
    failed = make_record(owner=alice.name, status=ExportStatus.FAILED, message="Disk full.")
    services.store.insert(queued)
    services.store.insert(failed)
    response = client.get(f"/rest/export/{queued.id}/aggregate", headers=alice.headers)
    assert_envelope(response, 404, NOT_COMPLETED, queued.id)
    response = client.get(f"/rest/export/{failed.id}/aggregate", headers=alice.headers)
    assert assert_envelope(response, 404, NOT_DOWNLOADABLE, failed.id)["messages"] == ["Disk full."]
    mine = _export(client, alice, outputType="CSV")
    response = client.get(f"/rest/export/{mine}/aggregate", headers=bob.headers)
    assert_envelope(response, 404, export_id=mine)
    assert_envelope(client.get(f"/rest/export/{mine}/aggregate"), 401)
