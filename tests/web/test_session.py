"""Signing in through the page: a token becomes an HttpOnly, SameSite=Strict cookie, and the token is kept nowhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import Guard, sign_in
from tests.web.conftest import Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

SESSION_COOKIE = "judge_session"


def test_signing_in_sets_a_strict_httponly_cookie_and_stores_no_token(page: Page, site: Site, shoot: Shoot) -> None:
    page.goto("/signin")
    shoot(page, "signin")
    page.locator("#signin-form input#token[name=token]").fill(site.student)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("#signin-form button[type=submit]").click()
    assert posted.value.status == 303
    expect(page).to_have_url(f"{site.url}/")
    expect(page.locator("header")).to_contain_text("Signed in as alice")

    session = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(session) == 1
    assert session[0]["httpOnly"]
    assert session[0]["sameSite"] == "Strict"
    assert site.student not in session[0]["value"]
    assert page.evaluate("document.cookie.includes('judge_session')") is False
    storage = page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert site.student not in storage


def test_a_wrong_token_shows_an_error_and_sets_no_cookie(page: Page, site: Site, guard: Guard, shoot: Shoot) -> None:
    guard.allow_status(401)  # the browser logs the page's status as an error
    page.goto("/signin")
    page.locator("input#token").fill("not-a-token")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("#signin-form button[type=submit]").click()
    assert posted.value.status == 401
    expect(page.locator("#signin-error")).to_contain_text("not valid")
    shoot(page, "error")
    assert page.url == f"{site.url}/signin"
    assert [c["name"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
    expect(page.locator("header")).not_to_contain_text("Signed in as")


def test_signing_in_returns_to_the_page_that_asked(page: Page, site: Site) -> None:
    page.goto("/history")
    expect(page).to_have_url(f"{site.url}/signin?next=/history")
    page.locator("input#token").fill(site.student)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(f"{site.url}/history")
    expect(page.locator("h1")).to_contain_text("Your submissions")


def test_signing_out_ends_the_session(page: Page, site: Site) -> None:
    sign_in(page, site.student)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("header")).to_contain_text("Sign in")
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
    page.goto("/history")
    expect(page).to_have_url(f"{site.url}/signin?next=/history")
