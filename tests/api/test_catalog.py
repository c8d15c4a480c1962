"""The store's read endpoints: what the page's pickers list, checked against the store."""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa

from dwelltime.api.deps import Services
from dwelltime.sources.store import schema
from tests.api.conftest import User
from tests.api.envelope import assert_envelope

ENDPOINTS = ["/rest/projects", "/rest/statuses", "/rest/filters", "/rest/sprints", "/rest/fields"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_needs_a_token(client: httpx.Client, path: str) -> None:
    assert_envelope(client.get(path), 401, "Unauthorized access")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_documented_in_openapi(client: httpx.Client, path: str) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths[path]
    assert "401" in paths[path]["get"]["responses"]


def test_projects_count_the_store_issues(
    client: httpx.Client, alice: User, services: Services
) -> None:
    body = client.get("/rest/projects", headers=alice.headers).json()
    issues = schema.issues
    with services.engine.connect() as connection:
        counts: dict[str, int] = dict(
            connection.execute(
                sa.select(issues.c.project_key, sa.func.count()).group_by(issues.c.project_key)
            ).all()
        )
    assert {p["key"]: p["issueCount"] for p in body} == counts
    assert [p["key"] for p in body] == sorted(counts)
    assert all(p["name"] for p in body)


def test_statuses_are_the_catalog(client: httpx.Client, alice: User, services: Services) -> None:
    body = client.get("/rest/statuses", headers=alice.headers).json()
    catalog = services.source.statuses()
    assert [(s["id"], s["name"]) for s in body] == [(s.id, s.name) for s in catalog]
    assert {s["statusCategory"]["key"] for s in body} <= {"new", "indeterminate", "done"}


def test_filters_and_sprints_name_what_reports_accept(
    client: httpx.Client, alice: User, services: Services
) -> None:
    filters = client.get("/rest/filters", headers=alice.headers).json()
    sprints = client.get("/rest/sprints", headers=alice.headers).json()
    assert filters and sprints
    with services.engine.connect() as connection:
        stored_filters = connection.scalar(
            sa.select(sa.func.count()).select_from(schema.saved_filters)
        )
        stored_sprints = connection.scalar(sa.select(sa.func.count()).select_from(schema.sprints))
    assert (len(filters), len(sprints)) == (stored_filters, stored_sprints)
    starts = [s["startDate"] for s in sprints if s["startDate"] is not None]
    assert starts == sorted(starts, reverse=True)
    # Each listed id is a value the export accepts for its filter type.
    for params in (
        {"filterType": "jqlfilter", "jqlFilterID": filters[0]["id"]},
        {"filterType": "sprint", "sprintID": str(sprints[0]["id"])},
    ):
        response = client.post(
            "/rest/export",
            params={**params, "columnsBy": "statusCount", "outputType": "CSV"},
            headers=alice.headers,
        )
        assert response.status_code == 200, response.text


def test_fields_list_system_then_custom(
    client: httpx.Client, alice: User, services: Services
) -> None:
    body = client.get("/rest/fields", headers=alice.headers).json()
    ids = [f["id"] for f in body]
    assert ids[:2] == ["issuetype", "status"]
    assert "key" not in ids and "summary" not in ids
    assert {"id": "assignee", "name": "Assignee", "custom": False} in body
    custom = [f["id"] for f in body if f["custom"]]
    assert custom and all(f.startswith("customfield_") for f in custom)
    with services.engine.connect() as connection:
        stored = connection.scalar(sa.select(schema.issues.c.fields).limit(1))
    assert stored is not None
    assert set(json.loads(stored)) <= set(custom)
