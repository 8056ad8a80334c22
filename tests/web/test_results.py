"""Submitting from the problem page and reading the result: verdict, cases, hint, the speed figure, history, diff.

The code submitted is the problem's own fixtures (problems/cross-attention/solutions),
whose docstrings name the verdict and the mistake they expect.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import ROOT, replace_editor_text, set_draft, sign_in
from tests.web.conftest import Shoot, Site

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.sandbox]

SLUG = "cross-attention"
PROBLEM = ROOT / "problems" / SLUG
GRADING_MS = 60_000  # a grading takes a few seconds here; the first after start-up more
SPEED_MS = 180_000  # the timing lane runs after the verdict, on a busy two-core machine
SPEED_FIGURE = re.compile(r"\d(\.\d+)?[x×] (faster|slower)|indistinguishable from the reference")


@dataclass(frozen=True)
class Solution:
    code: str
    verdict: str  # "Accepted" or "Wrong Answer", from the docstring's "Verdict:" line
    hint: str | None  # the manifest's hint for the docstring's "Mistake:" line; None for "none" or no line


def solution(path: Path) -> Solution:
    code = path.read_text(encoding="utf-8")
    verdict = re.search(r"^Verdict: (.+)$", code, re.MULTILINE)
    mistake = re.search(r"^Mistake: (.+)$", code, re.MULTILINE)
    assert verdict is not None
    manifest = tomllib.loads((PROBLEM / "problem.toml").read_text(encoding="utf-8"))
    hints = {m["id"]: m["hint"] for m in manifest["mistakes"]}
    return Solution(code, verdict[1], hints[mistake[1]] if mistake and mistake[1] != "none" else None)


CORRECT = solution(PROBLEM / "solutions" / "correct" / "numpy_float32.py")
WRONG = solution(PROBLEM / "solutions" / "wrong" / "no_scale.py")
UNEXPLAINED = solution(PROBLEM / "solutions" / "wrong" / "residual_over_encoder.py")  # no known mistake fits
SLOW = "import time\n\ntime.sleep(4)\n\n\ndef cross_attention_block(*args):\n    return None\n"  # holds the worker
CASES = len(tomllib.loads((PROBLEM / "problem.toml").read_text(encoding="utf-8"))["cases"])


def submit_by_draft(page: Page, code: str) -> str:
    """Store `code` as the draft, reload the problem page and press Submit; the result page's id."""
    page.goto(f"/p/{SLUG}")
    set_draft(page, SLUG, code)
    page.reload()
    expect(page.locator("#editor .cm-editor")).to_be_visible()
    page.locator("button#submit-button").click()
    expect(page).to_have_url(re.compile(r"/s/[^/]+$"))
    return page.url.rsplit("/", 1)[1]


def test_a_wrong_submission_waits_then_shows_its_hint_and_cases(page: Page, site: Site, shoot: Shoot) -> None:
    assert WRONG.verdict == "Wrong Answer"
    assert WRONG.hint is not None
    # the one worker is busy with another account's slow submission, so this one is seen queued first
    _, blocker = site.new_account("blocker")
    status, body, _ = site.server.request("POST", "/submissions", token=blocker,
                                          body={"problem": SLUG, "code": SLOW, "timing": False})
    assert status == 202, body
    sign_in(page, site.student, f"/p/{SLUG}")
    submit_by_draft(page, WRONG.code)
    expect(page.locator("#status")).to_contain_text(re.compile("Queued|Running"))
    expect(page.locator("#verdict")).to_have_count(0)
    shoot(page, "waiting")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    expect(page.locator("#verdict")).to_have_text("Wrong Answer", timeout=GRADING_MS)
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the verdict in
    expect(page.locator("#status")).to_have_count(0)
    expect(page.locator("#hint")).to_contain_text(WRONG.hint)
    expect(page.locator("table#cases tbody tr")).to_have_count(CASES)
    expect(page.locator("table#cases tbody tr.off").first).to_be_visible()
    expect(page.locator("#score")).to_contain_text("of 10 points")
    expect(page.locator("#submitted-code")).to_contain_text("def mha(")
    shoot(page, "wrong-answer")


def test_a_wrong_answer_no_mistake_explains_shows_what_the_judge_observed(page: Page, site: Site,
                                                                          shoot: Shoot) -> None:
    assert UNEXPLAINED.verdict == "Wrong Answer"
    assert UNEXPLAINED.hint is None
    sign_in(page, site.student, f"/p/{SLUG}")
    submit_by_draft(page, UNEXPLAINED.code)
    expect(page.locator("#verdict")).to_have_text("Wrong Answer", timeout=GRADING_MS)
    expect(page.locator("#diagnosis li").first).to_be_visible()
    expect(page.locator("#hint")).to_have_count(0)
    shoot(page, "diagnosis")


def test_an_accepted_submission_gets_its_speed_figure_without_a_reload(page: Page, site: Site,
                                                                      shoot: Shoot) -> None:
    assert CORRECT.verdict == "Accepted"
    sign_in(page, site.student, f"/p/{SLUG}")
    expect(page.locator("#editor .cm-editor")).to_be_visible()
    replace_editor_text(page, CORRECT.code)
    assert page.evaluate(f"localStorage.getItem('judge-draft:{SLUG}')") == CORRECT.code
    expect(page.locator("#submit-form input[name=timing]")).to_be_checked()
    page.keyboard.press("Control+Enter")  # the editor's own shortcut submits the form
    expect(page).to_have_url(re.compile(r"/s/[^/]+$"))

    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    expect(page.locator("#verdict")).to_have_text("Accepted", timeout=GRADING_MS)
    expect(page.locator("#score")).to_contain_text("10 of 10 points")
    expect(page.locator("table#cases tbody tr.ok")).to_have_count(CASES)
    expect(page.locator("#hint")).to_have_count(0)
    shoot(page, "accepted")
    expect(page.locator("#speed")).to_contain_text(SPEED_FIGURE, timeout=SPEED_MS)
    shoot(page, "speed")
    assert page.evaluate("window.sameDocument") is True
    assert navigations == []


def test_history_lists_attempts_newest_first_and_the_result_shows_the_diff(page: Page, site: Site,
                                                                            shoot: Shoot) -> None:
    _, token = site.new_account("history")  # alone on this problem: its attempts are exactly the two below
    sign_in(page, token, f"/p/{SLUG}")
    first = submit_by_draft(page, WRONG.code)
    expect(page.locator("#verdict")).to_have_text("Wrong Answer", timeout=GRADING_MS)
    expect(page.locator("#changes")).to_contain_text("first attempt")
    expect(page.locator("#diff")).to_have_count(0)
    second = submit_by_draft(page, CORRECT.code)
    expect(page.locator("#verdict")).to_have_text("Accepted", timeout=GRADING_MS)

    diff = page.locator("#diff")
    expect(diff).to_be_visible()
    expect(diff.locator(".diff-del", has_text="Mistake: no-scale")).to_have_count(1)
    expect(diff.locator(".diff-add", has_text="Verdict: Accepted")).to_have_count(1)
    expect(diff.locator(".diff-add", has_text="np.sqrt(d // num_heads)")).to_have_count(1)
    expect(page.locator(f'#changes a[href="/s/{first}"]')).to_be_visible()
    shoot(page, "diff")

    page.goto(f"/p/{SLUG}/history")
    rows = page.locator("table#history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Accepted")
    expect(rows.nth(1)).to_contain_text("Wrong Answer")
    expect(rows.nth(0).locator(f'a[href="/s/{second}"]')).to_have_count(1)
    expect(rows.nth(1).locator(f'a[href="/s/{first}"]')).to_have_count(1)
    shoot(page, "history")
    rows.nth(1).locator(f'a[href="/s/{first}"]').click()
    expect(page).to_have_url(f"{site.url}/s/{first}")
    expect(page.locator("#verdict")).to_have_text("Wrong Answer")
