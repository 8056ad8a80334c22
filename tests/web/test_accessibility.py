"""Every page passes axe-core with no serious or critical violation, in the light theme and the dark; the theme
follows the system until the student picks one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import ROOT, describe_violations, run_axe, sign_in
from tests.web.conftest import ColorScheme, NewPage, Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

SLUG = "cross-attention"
SOLUTIONS = ROOT / "problems" / SLUG / "solutions"
WRONG = (SOLUTIONS / "wrong" / "no_scale.py").read_text(encoding="utf-8")
CORRECT = (SOLUTIONS / "correct" / "numpy_float32.py").read_text(encoding="utf-8")
THEMES: tuple[ColorScheme, ...] = ("light", "dark")


@dataclass(frozen=True)
class Student:
    token: str
    wrong: str  # the first submission's id: a Wrong Answer with a hint and failing cases
    accepted: str  # the second's: Accepted, with a diff against the first


@pytest.fixture(scope="module")
def student(site: Site) -> Student:
    _, token = site.new_account("axe")
    ids = []
    for code in (WRONG, CORRECT):
        status, body, _ = site.server.request("POST", "/submissions?wait=true", token=token,
                                              body={"problem": SLUG, "code": code, "timing": False})
        assert status == 200, body
        ids.append(str(body["id"]))
    return Student(token, *ids)


def _signed_out(path: str) -> Callable[[Page, Site, Student], None]:
    def visit(page: Page, _site: Site, _student: Student) -> None:
        page.goto(path)
    return visit


def _as_student(path: Callable[[Student], str], ready: str) -> Callable[[Page, Site, Student], None]:
    def visit(page: Page, _site: Site, student: Student) -> None:
        target = path(student)
        sign_in(page, student.token, target)
        expect(page.locator(ready).first).to_be_visible()
    return visit


def _as_admin(page: Page, site: Site, _student: Student) -> None:
    sign_in(page, site.admin, "/admin")
    expect(page.locator("table#admin-submissions")).to_be_visible()


PAGES: dict[str, Callable[[Page, Site, Student], None]] = {
    "signin": _signed_out("/signin"),
    "problems": _signed_out("/"),
    "problem": _as_student(lambda _: f"/p/{SLUG}", "#editor .cm-editor"),
    "problem-maths": _signed_out("/p/positional-encoding"),
    "wrong-result": _as_student(lambda s: f"/s/{s.wrong}", "#hint"),
    "accepted-result": _as_student(lambda s: f"/s/{s.accepted}", "#diff"),
    "history": _as_student(lambda _: f"/p/{SLUG}/history", "table#history"),
    "admin": _as_admin,
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation(new_page: NewPage, site: Site, student: Student,
                                                          shoot: Shoot, theme: ColorScheme, name: str) -> None:
    page = new_page(color_scheme=theme)
    PAGES[name](page, site, student)
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    shoot(page, f"{name}-{theme}")
    violations = run_axe(page)
    assert not violations, f"axe on {page.url} ({theme}):\n{describe_violations(violations)}"


def test_the_theme_follows_the_system_until_toggled(new_page: NewPage, site: Site, shoot: Shoot) -> None:
    dark = new_page(color_scheme="dark")
    dark.goto("/")
    expect(dark.locator("html")).to_have_attribute("data-theme", "dark")

    page = new_page(color_scheme="light")
    page.goto("/")
    html, toggle = page.locator("html"), page.locator("button#theme-toggle")
    expect(html).to_have_attribute("data-theme", "light")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light_background
    shoot(page, "toggled-dark")
    page.reload()  # the choice is kept, over the system's
    expect(html).to_have_attribute("data-theme", "dark")
    page.locator("button#theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
