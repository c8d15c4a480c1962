"""Calendars over REST: read by everyone, written by admins only, Timepiece's JSON accepted."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.conftest import User
from tests.api.envelope import assert_envelope


def _calendar(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "timeZone": "Europe/Berlin",
        "workingTimes": [
            {"weekday": day, "start": 32_400_000, "end": 61_200_000}
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
        ],
        "holidays": [{"name": "Christmas", "date": "2026-12-25", "recurring": True}],
        **extra,
    }


def test_an_admin_creates_reads_replaces_and_deletes_a_calendar(
    client: httpx.Client, admin: User, alice: User
) -> None:
    name = f"Office {uuid.uuid4().hex[:6]}"
    created = client.post("/rest/calendar", json=_calendar(name), headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    calendar_id = str(body["id"])
    assert body["name"] == name and body["dailyWorkingHours"] == 8.0
    assert body["is7x24Calendar"] is False and body["allWorkingDaysHaveEqualLengths"] is True

    # Every user reads it: by id, in the list, by search.
    assert client.get(f"/rest/calendar/{calendar_id}", headers=alice.headers).json() == body
    listed = client.get("/rest/calendar", headers=alice.headers).json()
    assert body in listed
    found = client.get(
        "/rest/calendar/search", params={"name": name.upper()}, headers=alice.headers
    ).json()
    assert [c["id"] for c in found["elements"]] == [body["id"]] and found["total"] == 1

    replaced = client.put(
        f"/rest/calendar/{calendar_id}", json=_calendar(f"{name} v2"), headers=admin.headers
    )
    assert replaced.status_code == 200 and replaced.json()["name"] == f"{name} v2"
    assert client.delete(f"/rest/calendar/{calendar_id}", headers=admin.headers).status_code == 204
    assert_envelope(client.get(f"/rest/calendar/{calendar_id}", headers=alice.headers), 404)


def test_a_non_admin_write_is_403_with_the_envelope_and_changes_nothing(
    client: httpx.Client, alice: User
) -> None:
    before = client.get("/rest/calendar", headers=alice.headers).json()
    calendar_id = str(before[0]["id"])
    attempts = [
        client.post("/rest/calendar", json=_calendar("Mine"), headers=alice.headers),
        client.put(f"/rest/calendar/{calendar_id}", json=_calendar("x"), headers=alice.headers),
        client.delete(f"/rest/calendar/{calendar_id}", headers=alice.headers),
    ]
    for response in attempts:
        body = assert_envelope(response, 403, "Only an admin can change calendars.")
        assert "--admin" in body["messages"][0]
    assert client.get("/rest/calendar", headers=alice.headers).json() == before


def test_writes_need_a_token_at_all(client: httpx.Client) -> None:
    assert_envelope(client.post("/rest/calendar", json=_calendar("x")), 401)


def test_timepiece_get_calendar_json_posts_as_is(client: httpx.Client, admin: User) -> None:
    """The body Timepiece's own `GET /rest/calendar/{id}` answers, extra fields, `25/Dec/25`."""
    calendar_id = 900_000 + uuid.uuid4().int % 99_999
    timepiece = _calendar(
        "Calendar 1",
        id=calendar_id,
        clientKey="ffa2107c-c816-3aa3-985a-0163faa27103",
        isDefault=False,
        is7x24Calendar=False,
        allWorkingDaysHaveEqualLengths=True,
        calendarSuccessfullyLoaded=True,
        dailyWorkingHours=8.0,
        holidays=[{"name": "Christmas", "date": "25/Dec/25", "recurring": True}],
    )
    response = client.post("/rest/calendar", json=timepiece, headers=admin.headers)
    assert response.status_code == 201, response.text
    assert response.json()["id"] == calendar_id
    assert response.json()["holidays"] == [
        {"name": "Christmas", "date": "2025-12-25", "recurring": True}
    ]
    again = client.post("/rest/calendar", json=timepiece, headers=admin.headers)
    assert again.status_code == 200  # re-posting replaces in place


def test_an_invalid_calendar_is_a_400_listing_each_problem(
    client: httpx.Client, admin: User
) -> None:
    bad = _calendar("", timeZone="Mars/Olympus", holidays=[{"date": "31/Foo/25"}])
    body = assert_envelope(client.post("/rest/calendar", json=bad, headers=admin.headers), 400)
    joined = " ".join(body["messages"])
    assert "name" in joined and "timeZone" in joined and "holidays[0].date" in joined
    assert_envelope(
        client.post(
            "/rest/calendar",
            content=b"{not json",
            headers={**admin.headers, "content-type": "application/json"},
        ),
        400,
    )


def test_search_pages_default_to_10_and_refuse_more_than_100(
    client: httpx.Client, admin: User, alice: User
) -> None:
    tag = uuid.uuid4().hex[:8]
    batch = [_calendar(f"{tag} {index:02d}") for index in range(12)]
    assert client.post("/rest/calendar", json=batch, headers=admin.headers).status_code == 201
    first = client.get("/rest/calendar/search", params={"name": tag}, headers=alice.headers)
    assert first.json()["pageSize"] == 10 and len(first.json()["elements"]) == 10
    assert first.json()["total"] == 12 and first.json()["last"] is False
    second = client.get(
        "/rest/calendar/search", params={"name": tag, "pageNumber": 1}, headers=alice.headers
    ).json()
    assert len(second["elements"]) == 2 and second["last"] is True
    exact = client.get(
        "/rest/calendar/search",
        params={"name": f"{tag} 03", "searchType": "exact"},
        headers=alice.headers,
    ).json()
    assert [c["name"] for c in exact["elements"]] == [f"{tag} 03"]
    too_big = client.get(
        "/rest/calendar/search", params={"name": tag, "pageSize": 101}, headers=alice.headers
    )
    assert "pageSize" in assert_envelope(too_big, 400)["messages"][0]
