"""The pages stay on their own origin under their CSP, and the guard that checks it can fail.

Every test in tests/web ends with the guard's check (conftest.py); the controls
here show that each kind of breach is recorded, then clear it so that the
teardown passes, and a clean page shows that nothing is recorded by mistake.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import Guard
from tests.web.conftest import NewPage, Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

OFF_ORIGIN = "http://example.invalid/x"


def test_an_off_origin_fetch_is_aborted_and_recorded(new_page: NewPage, guard: Guard) -> None:
    # with the CSP out of the way the fetch reaches the network layer, where the guard aborts it
    page = new_page(bypass_csp=True)
    page.goto("/signin")
    outcome = page.evaluate(f"fetch({OFF_ORIGIN!r}).then(() => 'reached', (e) => 'failed: ' + e.message)")
    assert outcome.startswith("failed")
    assert guard.off_origin == [OFF_ORIGIN]
    guard.settle(page)
    assert f"request left the origin: {OFF_ORIGIN}" in guard.failures()
    guard.reset()


def test_an_off_origin_navigation_is_aborted_and_recorded(page: Page, guard: Guard) -> None:
    # the CSP does not govern where the page navigates: the guard must catch it
    page.goto("/signin")
    page.evaluate(f"location.assign({OFF_ORIGIN!r})")
    guard.wait_for(page, lambda: bool(guard.off_origin))
    guard.settle(page)
    assert guard.off_origin == [OFF_ORIGIN]
    assert guard.failures() == [f"request left the origin: {OFF_ORIGIN}"]
    guard.reset()


def test_an_inline_script_is_refused_and_recorded(page: Page, guard: Guard) -> None:
    page.goto("/signin")
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.append(script);
    }""")
    guard.wait_for(page, lambda: any(v.startswith("securitypolicyviolation") for v in guard.csp_violations))
    guard.settle(page)
    assert page.evaluate("window.inlineRan === undefined")
    assert any("inline script" in v for v in guard.csp_violations)  # the console's message
    assert any(v.startswith("securitypolicyviolation: script-src") for v in guard.csp_violations)  # the event
    assert guard.console_errors == []  # counted once, as a CSP violation
    guard.reset()


def test_an_off_origin_fetch_under_the_csp_is_refused_and_recorded(page: Page, guard: Guard) -> None:
    page.goto("/signin")
    outcome = page.evaluate(f"fetch({OFF_ORIGIN!r}).then(() => 'reached', (e) => 'failed: ' + e.message)")
    assert outcome.startswith("failed")
    guard.wait_for(page, lambda: any(v.startswith("securitypolicyviolation") for v in guard.csp_violations))
    guard.settle(page)
    assert any(OFF_ORIGIN in v for v in guard.csp_violations)
    assert guard.off_origin == []  # the browser refused it before any request was made
    guard.reset()


def test_a_console_error_is_recorded(page: Page, guard: Guard) -> None:
    page.goto("/signin")
    page.evaluate("console.error('something broke')")
    guard.wait_for(page, lambda: bool(guard.console_errors))
    guard.settle(page)
    assert [e.split(" (")[0] for e in guard.console_errors] == ["something broke"]
    guard.reset()


def test_an_uncaught_exception_is_recorded(page: Page, guard: Guard) -> None:
    page.goto("/signin")
    page.evaluate("setTimeout(() => { throw new Error('thrown later'); })")
    guard.wait_for(page, lambda: bool(guard.console_errors))
    guard.settle(page)
    assert any("thrown later" in e for e in guard.console_errors)
    guard.reset()


def test_the_pages_send_their_security_headers(page: Page, site: Site) -> None:
    response = page.goto("/signin")
    assert response is not None
    headers = response.headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_docs_render_swagger_ui_from_local_assets(page: Page, guard: Guard, shoot: Shoot, site: Site) -> None:
    page.goto("/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    shoot(page, "docs")
    assert all(url.startswith(site.url) for url in guard.requests)
    assert any("/openapi.json" in url for url in guard.requests)
