"""Parameter sets over REST: own and public sets visible, others' private ones invisible,
writes by the owner only, paged search; the same sets drive exports' paramSetId."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.api.conftest import User
from tests.api.envelope import assert_envelope

PARAMETERS = {"filterType": "project", "projectKey": "PAY", "statuses": ["1", "3"]}


def _create(client: httpx.Client, user: User, name: str, public: bool = False) -> dict[str, Any]:
    body = {"name": name, "public": public, "parameters": PARAMETERS}
    response = client.post("/rest/parameterSets", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("prefix", ["/rest/parameterSets", "/rest/reportSettings"])
def test_the_owner_reads_replaces_and_deletes_a_set(
    client: httpx.Client, alice: User, prefix: str
) -> None:
    created = _create(client, alice, "Cycle time")
    assert created["owner"] == alice.name and created["public"] is False
    assert created["parameters"] == PARAMETERS
    url = f"{prefix}/{created['id']}"
    assert client.get(url, headers=alice.headers).json() == created
    changed = {"name": "Cycle time v2", "public": True, "parameters": {"viewFormat": "days"}}
    replaced = client.put(url, json=changed, headers=alice.headers)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"id": created["id"], "owner": alice.name, **changed}
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert_envelope(client.get(url, headers=alice.headers), 404)


def test_another_users_private_set_is_invisible_and_a_public_one_is_read_only(
    client: httpx.Client, alice: User, bob: User, admin: User
) -> None:
    private = _create(client, alice, "alice private")
    public = _create(client, alice, "alice public", public=True)
    private_url = f"/rest/parameterSets/{private['id']}"
    public_url = f"/rest/parameterSets/{public['id']}"

    missing = assert_envelope(client.get(private_url, headers=bob.headers), 404)
    assert missing["message"] == f"No parameter set with id {private['id']!r}."
    assert_envelope(client.put(private_url, json=public, headers=bob.headers), 404)
    assert client.get(public_url, headers=bob.headers).json() == public
    listed = client.get("/rest/parameterSets", params={"pageSize": 100}, headers=bob.headers)
    ids = {element["id"] for element in listed.json()["elements"]}
    assert public["id"] in ids and private["id"] not in ids

    body = {"name": "taken over", "parameters": {"viewFormat": "days"}}
    refused = assert_envelope(client.put(public_url, json=body, headers=bob.headers), 403)
    assert alice.name in refused["messages"][0]
    assert_envelope(client.delete(public_url, headers=bob.headers), 403)

    # Admins see every set, but change only their own.
    assert client.get(private_url, headers=admin.headers).json() == private
    assert_envelope(client.delete(private_url, headers=admin.headers), 403)


def test_a_private_set_drives_only_its_owners_exports(
    client: httpx.Client, alice: User, bob: User
) -> None:
    saved = _create(client, alice, "for exports")
    start = {"paramSetId": saved["id"], "columnsBy": "statusCount", "outputType": "CSV"}
    assert client.post("/rest/export", json=start, headers=alice.headers).status_code == 200
    refused = assert_envelope(client.post("/rest/export", json=start, headers=bob.headers), 400)
    assert f"paramSetId: no saved parameter set with id {saved['id']!r}" in refused["messages"]


def test_search_pages_exact_and_partial(client: httpx.Client, alice: User) -> None:
    tag = uuid.uuid4().hex[:8]
    for index in range(12):
        _create(client, alice, f"{tag} set {index:02d}")
    first = client.get(
        "/rest/parameterSets/search", params={"name": tag.upper()}, headers=alice.headers
    ).json()
    assert first["pageSize"] == 10 and len(first["elements"]) == 10 and first["total"] == 12
    exact = client.get(
        "/rest/parameterSets/search",
        params={"name": f"{tag} set 07", "searchType": "exact"},
        headers=alice.headers,
    ).json()
    assert [element["name"] for element in exact["elements"]] == [f"{tag} set 07"]
    bad: list[tuple[dict[str, str | int], str]] = [
        ({"pageSize": 101}, "pageSize"),
        ({"searchType": "fuzzy"}, "searchType"),
    ]
    for params, name in bad:
        response = client.get(
            "/rest/parameterSets/search", params={"name": tag, **params}, headers=alice.headers
        )
        assert assert_envelope(response, 400)["messages"][0].startswith(name)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param({"parameters": PARAMETERS}, "name:", id="no-name"),
        pytest.param({"name": "x", "parameters": {"columsBy": "x"}}, "columsBy:", id="typo"),
        pytest.param({"name": "x", "parameters": {}}, "parameters:", id="empty"),
        pytest.param({"name": "x", "parameters": [1]}, "parameters:", id="not-an-object"),
        pytest.param(
            {"name": "x", "parameters": PARAMETERS, "public": "yes"}, "public:", id="flag"
        ),
        pytest.param([], "The body", id="array"),
    ],
)
def test_bad_bodies_are_400_naming_the_problem(
    client: httpx.Client, alice: User, body: Any, problem: str
) -> None:
    response = client.post("/rest/parameterSets", json=body, headers=alice.headers)
    assert any(line.startswith(problem) for line in assert_envelope(response, 400)["messages"])
