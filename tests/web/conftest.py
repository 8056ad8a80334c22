"""Fixtures for the browser tests: one real `judge serve`, headless Chromium, and guarded pages.

Every page a test opens runs under a `Guard`: requests to any other origin are
aborted and recorded, and so are console errors and CSP violations; the test
fails at teardown if any was recorded. Each page is screenshotted (full page)
at the end of its test, into $JUDGE_SCREENSHOT_DIR or test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.api.live import Server
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, ROOT, Guard

NAVIGATION_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 15_000
ColorScheme = Literal["light", "dark"]


@dataclass
class Site:
    """The running server and the accounts the tests share."""

    server: Server
    url: str  # "http://127.0.0.1:PORT": the one origin the pages may use
    student: str  # a student's token (account "alice")
    admin: str  # an admin's token (account "root")

    def new_account(self, prefix: str, role: str = "student") -> tuple[str, str]:
        """A fresh account, for a test that must not see the others' submissions: (name, token)."""
        name = f"{prefix}-{secrets.token_hex(3)}"
        return name, self.server.judge("token", "create", "--name", name, "--role", role)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # a cap of a few seconds measures nothing on a busy two-core machine ("0 of 5 pairs done"): the speed test
    # needs a figure
    server = Server(tmp_path_factory.mktemp("web") / "data", workers=1, timing_cap_s="30")
    try:
        student = server.judge("token", "create", "--name", "alice")
        admin = server.judge("token", "create", "--name", "root", "--role", "admin")
        server.start()
        yield Site(server, f"http://127.0.0.1:{server.port}", student, admin)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    folder = Path(os.environ.get("JUDGE_SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


Shoot = Callable[[Page, str], Path]


@pytest.fixture
def shoot(request: pytest.FixtureRequest, screenshot_dir: Path) -> Shoot:
    """`shoot(page, "label")`: a full-page screenshot named after the test, numbered in order."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.node.module.__name__.rsplit('.', 1)[-1]}__{request.node.name}")
    for stale in screenshot_dir.glob(f"{test}__*.png"):
        stale.unlink()
    counter = itertools.count(1)

    def take(page: Page, label: str) -> Path:
        path = screenshot_dir / f"{test}__{next(counter):02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def guard(site: Site) -> Guard:
    """What this test's pages did wrong; shared by every context the test opens."""
    return Guard(site.url)


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, site: Site, guard: Guard, shoot: Shoot) -> Iterator[NewPage]:
    """`new_page(color_scheme="dark")`: a page in a fresh guarded context (its own cookies and storage).

    At teardown each page is screenshotted, the contexts closed, and the test fails on anything the guard saw.
    """
    contexts: list[BrowserContext] = []

    def make(color_scheme: ColorScheme = "light", bypass_csp: bool = False) -> Page:
        context = browser.new_context(base_url=site.url, color_scheme=color_scheme, bypass_csp=bypass_csp,
                                      viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.route("**/*", guard.route)
        context.on("request", guard.on_request)
        context.expose_binding("__judgeCspViolation", guard.on_csp_event)
        context.add_init_script(CSP_LISTENER)
        context.on("console", guard.on_console)
        context.on("weberror", guard.on_web_error)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            with contextlib.suppress(PlaywrightError):  # a page that crashed has nothing left to show
                shoot(page, "final")
        context.close()
    failures = guard.failures()
    assert not failures, "the pages did what a page of this site must never do:\n" + "\n".join(failures)


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A guarded page in the light theme, signed out."""
    return new_page()
