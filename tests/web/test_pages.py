"""The problem list and a problem's page: its statement with maths, its signature and samples, and the editor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import editor_text, replace_editor_text, sign_in
from tests.web.conftest import Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

SLUG = "cross-attention"


def test_the_problem_list_links_to_each_problem(page: Page, site: Site, shoot: Shoot) -> None:
    page.goto("/")
    link = page.locator(f'ul#problems li a[href="/p/{SLUG}"]')
    expect(link).to_be_visible()
    expect(page.locator("ul#problems li")).to_have_count(8)
    shoot(page, "problems")
    link.click()
    expect(page).to_have_url(f"{site.url}/p/{SLUG}")
    expect(page.locator("#statement")).to_contain_text("cross")


def test_a_statement_renders_its_maths_with_katex(page: Page, shoot: Shoot) -> None:
    page.goto("/p/positional-encoding")
    expect(page.locator("#statement .katex").first).to_be_visible()
    assert page.locator("#statement .katex-display").count() >= 1  # the $$...$$ blocks
    assert page.locator("#statement .katex-error").count() == 0  # KaTeX parsed every formula
    shoot(page, "positional-encoding")


def test_signed_out_the_problem_shows_its_starter_and_asks_to_sign_in(page: Page) -> None:
    page.goto(f"/p/{SLUG}")
    expect(page.locator("#signature")).to_contain_text("cross_attention_block(")
    expect(page.locator("#samples tbody tr")).to_have_count(2)  # the two public cases
    expect(page.locator(f'a[href="/signin?next=/p/{SLUG}"]')).to_be_visible()
    expect(page.locator("#submit-form")).to_have_count(0)


def test_codemirror_takes_over_the_textarea(page: Page, site: Site, shoot: Shoot) -> None:
    sign_in(page, site.student, f"/p/{SLUG}")
    form = page.locator("#submit-form")
    assert form.get_attribute("action") == f"/p/{SLUG}/submit"
    assert (form.get_attribute("method") or "").lower() == "post"
    expect(page.locator("#editor .cm-editor")).to_be_visible()
    expect(page.locator("textarea#code[name=code]")).to_be_hidden()
    starter = page.locator("textarea#starter").input_value()
    assert "def cross_attention_block" in starter
    assert editor_text(page) == starter
    shoot(page, "editor")


def test_a_draft_survives_a_reload_and_reset_restores_the_starter(page: Page, site: Site, shoot: Shoot) -> None:
    sign_in(page, site.student, f"/p/{SLUG}")
    starter = page.locator("textarea#starter").input_value()
    draft = "import numpy as np\n\n\ndef cross_attention_block(*args):\n    return None  # draft 1\n"
    replace_editor_text(page, draft)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    assert page.evaluate(f"localStorage.getItem('judge-draft:{SLUG}')") == draft

    page.reload()
    expect(page.locator("#editor .cm-editor")).to_be_visible()
    assert editor_text(page) == draft
    expect(page.locator("#editor .cm-content")).to_contain_text("# draft 1")
    shoot(page, "draft-after-reload")

    # another problem's draft is its own
    page.goto("/p/multi-head-attention")
    expect(page.locator("#editor .cm-content")).not_to_contain_text("# draft 1")

    page.goto(f"/p/{SLUG}")
    page.locator("button#reset-starter").click()
    expect(page.locator("#editor .cm-content")).not_to_contain_text("# draft 1")
    assert page.evaluate(f"localStorage.getItem('judge-draft:{SLUG}')") is None
    assert editor_text(page) == starter
