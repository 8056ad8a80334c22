"""The web pages through TestClient: sign-in, CSRF, escaping, the submit form, results, history, admin, headers.

A real app with one real worker: the submissions below are graded in the sandbox.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web.security import CONTENT_SECURITY_POLICY
from api.web.session import CSRF_COOKIE, SESSION_COOKIE
from tests.api.conftest import make_settings, store_of
from tests.api.submissions import CORRECT, WRONG

HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("web"), rate_limit_per_minute=3))) as client:
        yield client


def browser(app_client: TestClient) -> TestClient:
    """A fresh cookie jar on the same app: one browser."""
    fresh = TestClient(app_client.app, base_url="http://testserver")
    return fresh


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, token: str, next_: str = "/") -> None:
    page = client.get("/signin")
    answer = client.post("/signin", data={"token": token, "csrf": csrf_of(page.text), "next": next_},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def signed_in(app_client: TestClient, role: str = "student") -> tuple[TestClient, str]:
    name = f"{role}-{time.monotonic_ns()}"
    token = store_of(app_client).create_account(name, role)
    client = browser(app_client)
    sign_in(client, token)
    return client, name


def submit_form(client: TestClient, code: str, slug: str = "cross-attention", timing: bool = False) -> str:
    """Submit through the problem page's form; the result page's path."""
    form = {"csrf": csrf_of(client.get(f"/p/{slug}").text), "code": code}
    if timing:
        form["timing"] = "on"
    answer = client.post(f"/p/{slug}/submit", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def wait_done(client: TestClient, path: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get(f"{path}/result").text
        if 'id="verdict"' in fragment:
            return client.get(path).text
        time.sleep(0.3)
    raise AssertionError(f"{path} was not graded in {timeout} s")


def test_sign_in_sets_an_httponly_strict_cookie_and_no_token_in_the_page(app_client: TestClient) -> None:
    token = store_of(app_client).create_account("cookie-check", "student")
    client = browser(app_client)
    page = client.get("/signin")
    answer = client.post("/signin", data={"token": token, "csrf": csrf_of(page.text), "next": "/p/bleu"},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/p/bleu"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert token not in cookie
    home = client.get("/")
    assert "Signed in as" in home.text
    assert token not in home.text


def test_a_wrong_token_is_refused_with_a_sentence_and_no_session(app_client: TestClient) -> None:
    client = browser(app_client)
    page = client.get("/signin")
    answer = client.post("/signin", data={"token": "not-a-token", "csrf": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 401
    assert "not valid" in answer.text
    assert SESSION_COOKIE not in client.cookies


def test_an_open_redirect_after_sign_in_goes_home_instead(app_client: TestClient) -> None:
    token = store_of(app_client).create_account("redirect-check", "student")
    client = browser(app_client)
    page = client.get("/signin")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = client.post("/signin", data={"token": token, "csrf": csrf_of(page.text), "next": target},
                             follow_redirects=False)
        assert answer.headers["location"] == "/", target


def test_a_form_without_the_csrf_token_or_from_another_site_is_refused(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    good = csrf_of(client.get("/p/cross-attention").text)
    no_token = client.post("/p/cross-attention/submit", data={"code": CORRECT}, follow_redirects=False)
    forged = client.post("/p/cross-attention/submit", data={"code": CORRECT, "csrf": "x" * 43},
                         follow_redirects=False)
    cross_site = client.post("/p/cross-attention/submit", data={"code": CORRECT, "csrf": good},
                             headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert no_token.status_code == 403
    assert forged.status_code == 403
    assert cross_site.status_code == 403
    # positive control: the same form with its token and no foreign origin is taken
    assert client.post("/p/cross-attention/submit", data={"code": CORRECT, "csrf": good},
                       follow_redirects=False).status_code == 303


def test_another_browsers_csrf_token_does_not_work(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    other = browser(app_client)
    theirs = csrf_of(other.get("/signin").text)
    answer = client.post("/p/cross-attention/submit", data={"code": CORRECT, "csrf": theirs},
                         follow_redirects=False)
    assert answer.status_code == 403


def test_a_tampered_or_revoked_session_is_signed_out(app_client: TestClient) -> None:
    client, name = signed_in(app_client)
    assert "Signed in as" in client.get("/").text
    value = client.cookies[SESSION_COOKIE]
    payload, signature = value.split(".")
    forged = browser(app_client)
    forged.cookies.set(SESSION_COOKIE, f"{payload}.{signature[:-2]}AA")
    assert "Signed in as" not in forged.get("/").text
    store_of(app_client).revoke(name)
    assert "Signed in as" not in client.get("/").text


def test_pages_carry_the_content_security_policy_and_load_nothing_from_elsewhere(app_client: TestClient) -> None:
    for path in ("/", "/signin", "/p/cross-attention", "/p/positional-encoding"):
        answer = app_client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["x-content-type-options"] == "nosniff"
        for url in re.findall(r'(?:src|href)="([^"]+)"', answer.text):
            assert url.startswith(("/", "#")), f"{path} loads {url}"
        assert "<script>" not in answer.text.replace("<script src=", ""), f"{path} has an inline script"
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY


def test_the_api_keeps_json_errors_and_pages_get_html_ones(app_client: TestClient) -> None:
    api = app_client.get("/problems/no-such-problem")
    assert api.headers["content-type"].startswith("application/json")
    page = app_client.get("/p/no-such-problem")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "unknown problem" in page.text


def test_the_statement_renders_maths_for_katex_and_no_raw_html(app_client: TestClient) -> None:
    page = app_client.get("/p/positional-encoding").text
    assert 'class="math' in page
    assert "<table>" in app_client.get("/p/cross-attention").text  # the markdown tables render


def test_markdown_turns_raw_html_into_text() -> None:
    from api.web.render import markdown

    html = str(markdown(f"# Title\n\n{HOSTILE}\n\n[link](javascript:alert(1))"))
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_a_wrong_submission_shows_its_hint_and_case_table_escaped(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    code = WRONG + f"\nprint({HOSTILE!r})\n"
    page = wait_done(client, submit_form(client, code))
    assert 'id="verdict"' in page
    assert "Wrong Answer" in page
    assert 'id="hint"' in page
    assert page.count("<tr") > 3
    assert "Error ÷ tolerance" in page
    assert HOSTILE not in page  # the printed output and the code are escaped
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page


def test_a_right_submission_is_accepted_and_history_and_diff_follow(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    first = wait_done(client, submit_form(client, WRONG))
    assert "This is the first attempt" in first
    second_path = submit_form(client, CORRECT)
    second = wait_done(client, second_path)
    assert ">Accepted<" in second
    assert 'id="diff"' in second
    assert 'class="diff-add"' in second
    assert 'class="diff-del"' in second
    history = client.get("/p/cross-attention/history").text
    assert history.index(second_path) < history.index("Wrong Answer")  # newest first


def test_only_the_owner_and_admins_see_a_result(app_client: TestClient) -> None:
    owner, _ = signed_in(app_client)
    path = submit_form(owner, CORRECT)
    stranger, _ = signed_in(app_client)
    admin, _ = signed_in(app_client, "admin")
    assert stranger.get(path).status_code == 404
    assert admin.get(path).status_code == 200
    assert browser(app_client).get(path, follow_redirects=False).status_code == 303  # signed out: sign in first


def test_the_admin_page_filters_and_regrades_and_refuses_students(app_client: TestClient) -> None:
    student, name = signed_in(app_client)
    path = submit_form(student, CORRECT)
    wait_done(student, path)
    assert student.get("/admin").status_code == 403
    admin, _ = signed_in(app_client, "admin")
    listing = admin.get(f"/admin?owner={name}").text
    assert path in listing
    assert 'id="admin-tally"' in listing
    submission_id = path.rsplit("/", 1)[1]
    answer = admin.post(f"/admin/regrade/{submission_id}", data={"csrf": csrf_of(listing)}, follow_redirects=False)
    assert answer.status_code == 303
    assert ">Accepted<" in wait_done(admin, path)
    assert admin.post(f"/admin/regrade/{submission_id}", data={"csrf": ""}, follow_redirects=False).status_code == 403


def test_over_the_rate_limit_the_form_keeps_the_code_and_counts_down(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    for _ in range(3):  # this app allows 3 a minute
        submit_form(client, CORRECT)
    form = {"csrf": csrf_of(client.get("/p/cross-attention").text), "code": "# my work in progress\n"}
    answer = client.post("/p/cross-attention/submit", data=form, follow_redirects=False)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert 'id="retry-countdown"' in answer.text
    assert "# my work in progress" in answer.text


def test_an_oversized_form_is_refused_before_it_is_read(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    form = {"csrf": csrf_of(client.get("/p/cross-attention").text), "code": "x" * (64 * 1024 * 4)}
    answer = client.post("/p/cross-attention/submit", data=form, follow_redirects=False)
    assert answer.status_code == 413


def test_signing_out_ends_the_session(app_client: TestClient) -> None:
    client, _ = signed_in(app_client)
    page = client.get("/")
    answer = client.post("/signout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert "Signed in as" not in client.get("/").text


def test_the_csrf_cookie_is_httponly_and_strict(app_client: TestClient) -> None:
    answer = browser(app_client).get("/signin")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE))
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
