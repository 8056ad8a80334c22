"""The admin's page: every submission, filtered by student and problem, and re-grading one; students get 403."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.api.live import wait_done
from tests.web.browser import ROOT, Guard, sign_in
from tests.web.conftest import Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

SLUG = "cross-attention"
WRONG = (ROOT / "problems" / SLUG / "solutions" / "wrong" / "no_scale.py").read_text(encoding="utf-8")
GRADING_MS = 60_000


def submitted(site: Site, prefix: str) -> tuple[str, str]:
    """A fresh student with one graded submission (made through the JSON API): (name, submission id)."""
    name, token = site.new_account(prefix)
    status, body, _ = site.server.request("POST", "/submissions?wait=true", token=token,
                                          body={"problem": SLUG, "code": WRONG, "timing": False})
    assert status == 200, body
    return name, str(body["id"])


def test_a_student_is_refused_the_admin_page(page: Page, site: Site, guard: Guard, shoot: Shoot) -> None:
    guard.allow_status(403)
    sign_in(page, site.student)
    expect(page.locator('header a[href="/admin"]')).to_have_count(0)
    response = page.goto("/admin")
    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("table#admin-submissions")).to_have_count(0)
    shoot(page, "403")


def test_the_admin_filters_submissions_and_regrades_one(page: Page, site: Site, shoot: Shoot) -> None:
    owner, submission = submitted(site, "filtered")
    other, _ = submitted(site, "other")
    sign_in(page, site.admin)
    page.locator('header a[href="/admin"]').click()
    expect(page).to_have_url(f"{site.url}/admin")
    rows = page.locator("table#admin-submissions tbody tr")
    expect(rows.filter(has_text=owner)).to_have_count(1)
    expect(rows.filter(has_text=other)).to_have_count(1)

    filter_form = page.locator("form#admin-filter")
    filter_form.locator("[name=owner]").fill(owner)
    filter_form.locator("[name=problem]").fill(SLUG)
    filter_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/admin\?owner={re.escape(owner)}&problem={SLUG}$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(owner)
    expect(rows.first).to_contain_text("Wrong Answer")
    expect(rows.first.locator(f'a[href="/s/{submission}"]')).to_have_count(1)
    expect(page.locator("table#admin-tally tbody tr")).to_have_count(1)
    shoot(page, "filtered")

    before = site.server.request("GET", f"/submissions/{submission}", token=site.admin)[1]
    rows.first.locator("form.regrade button").click()
    expect(page).to_have_url(f"{site.url}/s/{submission}")
    expect(page.locator("#verdict")).to_have_text("Wrong Answer", timeout=GRADING_MS)
    shoot(page, "regraded")
    after = wait_done(site.server, site.admin, [submission])[0]
    assert after["finished_at"] > before["finished_at"]  # graded again, not merely shown again
    assert after["verdict"] == "Wrong Answer"
