"""Retake the README's screenshots: a real `judge serve`, Debian's chromium, a wrong submission.

    python3 scripts/readme_screenshots.py            # writes docs/img/problem.png and docs/img/result.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.api.live import Server  # noqa: E402
from tests.api.submissions import WRONG  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SET_CODE = ("code => window.judgeEditor.dispatch("
            "{changes: {from: 0, to: window.judgeEditor.state.doc.length, insert: code}})")


def main() -> None:
    out = ROOT / "docs" / "img"
    server = Server(Path(tempfile.mkdtemp()) / "data", workers=1)
    server.start()
    try:
        token = server.judge("token", "create", "--name", "ada")
        base = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
            page.goto(f"{base}/signin")
            page.fill("#token", token)
            page.click("#signin-form button")
            page.goto(f"{base}/p/cross-attention")
            page.wait_for_selector(".cm-content")
            page.screenshot(path=str(out / "problem.png"))
            page.evaluate(SET_CODE, WRONG)
            page.click("#submit-button")
            page.wait_for_selector("#verdict", timeout=120_000)
            page.locator("#result").screenshot(path=str(out / "result.png"))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {out / 'problem.png'} and {out / 'result.png'}")


if __name__ == "__main__":
    main()
