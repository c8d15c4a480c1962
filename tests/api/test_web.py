"""GET / and /static without a browser: the choices come from the parameter model, and
nothing on the page is fetched from another host."""

from __future__ import annotations

import re

import httpx

from dwelltime.params.model import OutputType, ReportType, ViewFormat


def test_page_offers_every_choice_with_valid_defaults(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for value in [*ReportType, *OutputType, *ViewFormat]:
        assert f'<option value="{value.value}"' in html
    selected = dict(
        re.findall(
            r'<select id="(\w+)"[^>]*>\s*(?:<option[^>]*>[^<]*</option>\s*)*?'
            r'<option value="([^"]+)" selected>',
            html,
        )
    )
    assert selected["columnsBy"] == "statusDuration"
    assert selected["outputType"] == "CSV"
    assert selected["filterType"] == "project"


def test_every_asset_is_served_from_here(client: httpx.Client) -> None:
    html = client.get("/").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    script = client.get("/static/app.js").text
    assert "http://" not in script.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in script


def test_page_is_not_in_the_openapi_description(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not any(path.startswith("/static") for path in paths)
