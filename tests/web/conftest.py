"""The page in Debian's chromium, driven by Playwright, against a real `dwelltime serve`.

`make test` installs chromium with apt-get when it is missing (never a browser download).
Without it the browser tests skip with the reason, except under CI=true, where they fail.
Each test keeps a screenshot per step under test-artifacts/screenshots/<test>/ (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.api.serve_process import ServeProcess, create_token, demo_home

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: A laptop screen.
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
DEMO_ISSUES = 2400
#: Two issues a batch: an export of one project runs for a few seconds, so its bar is seen
#: moving and a second export can be aborted while it runs.
SERVE_SETTINGS = {"batch_size": "2", "workers": "2"}
#: How long a wait for the page may take on a loaded machine (exports run for seconds).
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)


@dataclass
class Steps:
    """Numbered full-page screenshots of one test."""

    page: Page
    folder: Path
    taken: list[Path] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@dataclass(frozen=True)
class Served:
    server: ServeProcess
    token: str
    home: Path


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (make test installs Debian's chromium with apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Served]:
    home = demo_home(tmp_path_factory.mktemp("web"), DEMO_ISSUES)
    token = create_token(home, "webby")
    with ServeProcess(home, home.parent / "serve.log", **SERVE_SETTINGS) as server:
        yield Served(server, token, home)


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(served.server.url + "/")
    yield page
    context.close()


@pytest.fixture
def steps(page: Page, request: pytest.FixtureRequest) -> Steps:
    folder = SCREENSHOTS / re.sub(r"[^\w.-]", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Steps(page, folder)
