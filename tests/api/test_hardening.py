"""Regression tests of the hostile run (issue "Hardening"), over real HTTP: every bad input
answered with the envelope and the connection still usable."""

from __future__ import annotations

import httpx

from tests.api.conftest import User
from tests.api.envelope import assert_envelope

PROJECT = {"filterType": "project", "projectKey": "PAY", "columnsBy": "statusDuration"}


def test_a_value_repeated_in_another_case_is_one_value(client: httpx.Client, alice: User) -> None:
    query = (
        "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV&outputType=csv"
    )
    response = client.post(f"/rest/export?{query}", headers=alice.headers)
    assert response.status_code == 200, response.text
    listing = client.get("/rest/export", headers=alice.headers).json()
    assert [element["outputType"] for element in listing["elements"]] == ["CSV"]


def test_two_different_values_are_still_refused(client: httpx.Client, alice: User) -> None:
    query = (
        "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV&outputType=XLSX"
    )
    body = assert_envelope(client.post(f"/rest/export?{query}", headers=alice.headers), 400)
    assert body["messages"] == ["outputType: expected one value, got 2 different ones"]
