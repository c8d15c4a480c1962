"""The page in a real browser: sign in, start, watch, download, abort, errors, summary,
the keyboard-only flow and an axe-core check of labels and contrast."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import Served, Steps

pytestmark = pytest.mark.integration

AXE = Path(__file__).with_name("assets") / "axe.min.js"
#: Every issue of the store: long enough to be caught Running and aborted.
EVERYTHING = "created is not empty"


def rest(served: Served, path: str) -> Any:
    response = httpx.get(
        served.server.url + path, headers={"Authorization": f"TISJWT {served.token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def sign_in(page: Page, token: str) -> None:
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#projectKey option").first).to_be_attached()
    expect(page.locator("#page-info")).not_to_be_empty()  # the table has been read once


def newest_row(page: Page, previous: str | None) -> Locator:
    """The first row of the table once it is a new export (not `previous`)."""
    row = page.locator("#exports tbody tr").first
    expect(row).to_be_attached()
    if previous is not None:
        expect(row).not_to_have_attribute("data-id", previous)
    return row


def first_row_id(page: Page) -> str | None:
    rows = page.locator("#exports tbody tr")
    return rows.first.get_attribute("data-id") if rows.count() else None


def progress(row: Locator) -> tuple[float, float]:
    value, top = row.locator("progress").evaluate(
        "bar => [bar.position < 0 ? -1 : bar.value, bar.max]"
    )
    return float(value), float(top)


def wait_for_progress(page: Page, row: Locator, above: float) -> float:
    """The bar's value once it is above `above` and the export is still Running."""
    page.wait_for_function(
        "([row, above]) => { const bar = row.querySelector('progress');"
        " return bar && bar.position >= 0 && bar.value > above && bar.value < bar.max; }",
        arg=[row.element_handle(), above],
    )
    return progress(row)[0]


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def test_start_watch_download_and_summary(
    page: Page, served: Served, steps: Steps, tmp_path: Path
) -> None:
    steps.shot("sign-in")
    sign_in(page, served.token)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as webby")
    projects = rest(served, "/rest/projects")
    # The form opens with valid defaults: the store's first project, statusDuration, CSV.
    expect(page.locator("#filterType")).to_have_value("project")
    expect(page.locator("#projectKey")).to_have_value(projects[0]["key"])
    expect(page.locator("#columnsBy")).to_have_value("statusDuration")
    expect(page.locator("#outputType")).to_have_value("CSV")
    assert page.locator("#statuses option").count() == len(rest(served, "/rest/statuses"))
    calendars = rest(served, "/rest/calendar")
    assert calendars
    assert page.locator("#calendar option").all_inner_texts() == [
        "normalHours (24/7)",
        *(f"{c['name']} ({c['id']})" for c in calendars),
    ]
    assert page.locator("#paramSetId option").count() == 1 + len(
        rest(served, "/rest/parameterSets?pageSize=100")["elements"]
    )
    steps.shot("form-with-defaults")

    previous = first_row_id(page)
    page.get_by_role("button", name="Start export").click()
    row = newest_row(page, previous)
    first = wait_for_progress(page, row, 0)
    later = wait_for_progress(page, row, first)
    assert 0 < first < later < progress(row)[1] == projects[0]["issueCount"]
    expect(row.locator("td").nth(2)).to_have_text("Running")
    expect(row.locator("td").nth(3)).to_contain_text("%")
    steps.shot("progress")

    download_button = row.get_by_role("button", name="Download")
    expect(download_button).to_be_visible()
    expect(row.locator("td").nth(3)).to_contain_text("(100%)")
    steps.shot("successful")
    with page.expect_download() as download_info:
        download_button.click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.suffix == ".csv"
    header, *rows = csv_rows(target)
    assert header[:2] == ["Key", "Summary"]
    assert len(rows) == projects[0]["issueCount"]
    assert all(r[0].startswith(f"{projects[0]['key']}-") for r in rows)

    # The summary opened by itself when the export finished: one pair of bars per column.
    export_id = row.get_attribute("data-id")
    summary = rest(served, f"/rest/export/{export_id}/aggregate")
    chart = page.locator("#summary-chart svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar.average").count() == len(summary["columns"]) == len(header) - 2
    assert chart.locator("rect.bar.median").count() == len(summary["columns"])
    labels = chart.locator("text[text-anchor=end]").evaluate_all("ts => ts.map(t => t.textContent)")
    assert labels == summary["columns"]
    bins = page.locator("#summary-histogram rect.bin")
    assert bins.count() == len(summary["totals"]["bins"])
    expect(page.locator("#summary-meta")).to_contain_text(f"{summary['issueCount']} issues")
    widths = [
        float(w)
        for w in chart.locator("rect.bar.average").evaluate_all(
            "rs => rs.map(r => r.getAttribute('width'))"
        )
    ]
    averages = summary["groups"][0]["average"]
    biggest = max(range(len(averages)), key=lambda i: averages[i] or 0)
    assert widths[biggest] == max(widths)
    steps.shot("summary")


def test_abort_a_running_export(page: Page, served: Served, steps: Steps) -> None:
    sign_in(page, served.token)
    page.get_by_label("Filter type").select_option("customjql")
    expect(page.get_by_label("JQL")).to_be_visible()
    expect(page.get_by_label("Project")).to_be_hidden()
    page.get_by_label("JQL").fill(EVERYTHING)
    page.get_by_label("Report type").select_option("statusCount")
    previous = first_row_id(page)
    page.get_by_role("button", name="Start export").click()
    row = newest_row(page, previous)
    wait_for_progress(page, row, 0)
    steps.shot("running")
    row.get_by_role("button", name="Abort").click()
    expect(row.locator("td").nth(2)).to_contain_text("Aborted")
    expect(row.get_by_role("button")).to_have_count(0)
    steps.shot("aborted")
    record = rest(served, f"/rest/export/{row.get_attribute('data-id')}")
    assert record["status"] == "Aborted"
    assert record["completed"] < record["total"]


def test_validation_messages_sit_next_to_their_fields(
    page: Page, served: Served, steps: Steps
) -> None:
    sign_in(page, served.token)
    previous = first_row_id(page)
    page.get_by_label("Issues from").fill("2026-13-45")
    page.get_by_role("button", name="Start export").click()
    message = page.locator("#startDate-error")
    expect(message).to_contain_text("2026-13-45")
    expect(page.get_by_label("Issues from")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Issues from")).to_be_focused()
    steps.shot("bad-date")
    assert first_row_id(page) == previous  # nothing was started
    page.get_by_label("Issues from").fill("2026-01-01")
    page.get_by_role("button", name="Start export").click()
    expect(message).to_be_hidden()
    expect(page.get_by_label("Issues from")).not_to_have_attribute("aria-invalid", "true")
    newest_row(page, previous)


def test_a_parameter_set_fills_the_form(
    page: Page, served: Served, steps: Steps, tmp_path: Path
) -> None:
    saved = httpx.post(
        served.server.url + "/rest/parameterSets",
        json={
            "name": "WEB counts",
            "parameters": {
                "filterType": "project",
                "projectKey": "WEB",
                "columnsBy": "statusCount",
            },
        },
        headers={"Authorization": f"TISJWT {served.token}"},
    )
    assert saved.status_code == 201, saved.text
    set_id = saved.json()["id"]
    sign_in(page, served.token)
    page.get_by_label("Parameter set (optional)").select_option(set_id)
    expect(page.get_by_label("Project")).to_have_value("WEB")
    expect(page.get_by_label("Report type")).to_have_value("statusCount")
    steps.shot("set-chosen")
    previous = first_row_id(page)
    page.get_by_role("button", name="Start export").click()
    row = newest_row(page, previous)
    with page.expect_download() as download_info:
        row.get_by_role("button", name="Download").click()
    assert download_info.value.suggested_filename.startswith("statusCount-WEB")
    target = tmp_path / "counts.csv"
    download_info.value.save_as(target)
    assert all(r[0].startswith("WEB-") for r in csv_rows(target)[1:])


def test_bad_token_is_refused_with_the_reason(page: Page, steps: Steps) -> None:
    page.get_by_label("API token").fill("not-a-token")
    page.keyboard.press("Enter")
    expect(page.locator("#token-error")).to_contain_text("Unauthorized access")
    expect(page.locator("#app")).to_be_hidden()
    steps.shot("refused")


def test_token_is_kept_for_the_tab_only(page: Page, served: Served) -> None:
    sign_in(page, served.token)
    page.reload()
    expect(page.locator("#app")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('dwelltime.token')") == served.token
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in-section")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def _tab_to(page: Page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies the JS `predicate(element)`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(({predicate}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element with {predicate}")


def test_keyboard_only(page: Page, served: Served, steps: Steps, tmp_path: Path) -> None:
    expect(page.get_by_label("API token")).to_be_focused()
    page.keyboard.type(served.token)
    page.keyboard.press("Enter")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#filterType")).to_be_focused()
    expect(page.locator("#page-info")).not_to_be_empty()
    steps.shot("signed-in")
    previous = first_row_id(page)
    _tab_to(page, "e => e.id === 'start'")
    steps.shot("start-focused")
    page.keyboard.press("Enter")
    row = newest_row(page, previous)
    expect(row.get_by_role("button", name="Download")).to_be_visible()
    export_id = row.get_attribute("data-id")
    _tab_to(
        page, f"e => e.closest('tr')?.dataset.id === '{export_id}' && e.textContent === 'Download'"
    )
    steps.shot("download-focused")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    target = tmp_path / "keyboard.csv"
    download_info.value.save_as(target)
    assert csv_rows(target)[0][:2] == ["Key", "Summary"]
    page.keyboard.press("Tab")  # Download → Summary
    page.keyboard.press("Enter")
    expect(page.locator("#summary-title")).to_be_focused()
    expect(page.locator("#summary-chart svg")).to_be_visible()
    steps.shot("summary-by-keyboard")


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _readable(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations], indent=1
    )


def test_axe_finds_no_label_or_contrast_problem(page: Page, served: Served, steps: Steps) -> None:
    violations = _axe(page)
    assert violations == [], _readable(violations)
    sign_in(page, served.token)
    previous = first_row_id(page)
    page.get_by_label("Issues from").fill("someday")
    page.get_by_role("button", name="Start export").click()
    expect(page.locator("#startDate-error")).to_be_visible()
    page.get_by_label("Issues from").fill("")
    page.get_by_role("button", name="Start export").click()
    row = newest_row(page, previous)
    expect(row.get_by_role("button", name="Summary")).to_be_visible()
    expect(page.locator("#summary-chart svg")).to_be_visible()
    steps.shot("checked")
    violations = _axe(page)
    assert violations == [], _readable(violations)
    checked = page.evaluate(
        "axe.run(document, {runOnly: {type: 'rule', values: ['label', 'color-contrast']}})"
        ".then(r => r.passes.map(p => p.id))"
    )
    assert set(checked) == {"label", "color-contrast"}
