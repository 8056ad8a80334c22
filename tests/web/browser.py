"""What the browser tests share: how Chromium is launched, the guard every page runs under, and page helpers.

The guard is the point of these tests as much as any assertion: a page that
asks another origin for anything (a font, a script, a beacon), logs an error,
or trips its own Content-Security-Policy fails the test that loaded it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Route, WebError, expect
from playwright.sync_api import Request as BrowserRequest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's; `playwright install` is never run (no browser downloads)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_FAILING_IMPACTS = ("serious", "critical")
POLL_MS = 50
# schemes that never reach a network: the page's own documents and in-memory resources
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
# Chromium's words for a refusal: "Refused to ..." in older versions, "... violates the following Content
# Security Policy directive ..." in newer ones
CSP_MESSAGE = re.compile(r"^Refused to |Content Security Policy")
# reported by the page itself through an exposed binding: CDP, not page script, so the CSP does not apply
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__judgeCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
                             + ` at ${event.sourceFile || '?'}:${event.lineNumber}`);
}, true);
"""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Guard:
    """Everything a browser context did that a page of this site must never do, recorded as it happens."""

    origin: str  # the server's, "http://127.0.0.1:PORT"
    requests: list[str] = field(default_factory=list)  # every request any page made, in order
    off_origin: list[str] = field(default_factory=list)  # requests to anywhere else: aborted, and a failure
    console_errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    csp_violations: list[str] = field(default_factory=list)  # "Refused to ..." messages and violation events
    allowed: list[re.Pattern[str]] = field(default_factory=list)  # console errors a test expects

    def route(self, route: Route) -> None:
        """Let this origin through; abort anything else, recording it."""
        url = route.request.url
        if origin_of(url) == self.origin:
            route.fallback()
        else:
            self._leaked(url)
            route.abort("blockedbyclient")

    def on_request(self, request: BrowserRequest) -> None:
        url = request.url
        self.requests.append(url)
        if urlsplit(url).scheme not in LOCAL_SCHEMES and origin_of(url) != self.origin:
            self._leaked(url)  # a request the route never saw (a service worker's, say) counts too

    def _leaked(self, url: str) -> None:
        if url not in self.off_origin:  # the request event and the route both see most requests
            self.off_origin.append(url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if CSP_MESSAGE.search(text):
            self.csp_violations.append(text)
        elif not any(pattern.search(text) for pattern in self.allowed):
            location = message.location
            self.console_errors.append(f"{text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})")

    def on_web_error(self, error: WebError) -> None:
        self.console_errors.append(f"uncaught: {error.error.message}")

    def on_csp_event(self, _source: Any, description: str) -> None:
        self.csp_violations.append(f"securitypolicyviolation: {description}")

    def allow_console(self, pattern: str) -> None:
        """Expect console errors matching `pattern` (a regex), e.g. the log line of a page answered 403."""
        self.allowed.append(re.compile(pattern))

    def allow_status(self, status: int) -> None:
        """Expect a page answered with `status`: Chromium logs every 4xx and 5xx document as a console error."""
        self.allow_console(rf"^Failed to load resource: the server responded with a status of {status} ")

    def failures(self) -> list[str]:
        """What went wrong, one line each; empty when the pages behaved."""
        return ([f"request left the origin: {_clip(url)}" for url in self.off_origin]
                + [f"console error: {_clip(text)}" for text in self.console_errors]
                + [f"CSP violation: {_clip(text)}" for text in self.csp_violations])

    def reset(self) -> None:
        """Forget what was recorded (the controls use it after proving a failure was caught)."""
        self.off_origin.clear()
        self.console_errors.clear()
        self.csp_violations.clear()

    def wait_for(self, page: Page, condition: Callable[[], bool], timeout_ms: int = 5000) -> None:
        """Until `condition()` holds: events reach Python while Playwright waits, never while Python sleeps."""
        for _ in range(timeout_ms // POLL_MS):
            if condition():
                return
            page.wait_for_timeout(POLL_MS)

    def settle(self, page: Page, quiet_ms: int = 300) -> None:
        """Until nothing new has been recorded for `quiet_ms`: a breach's last echo is in before a reset."""
        seen, quiet = -1, 0
        while quiet < quiet_ms:
            count = len(self.failures())
            seen, quiet = count, (quiet + POLL_MS if count == seen else 0)
            page.wait_for_timeout(POLL_MS)


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def sign_in(page: Page, token: str, next_path: str | None = None) -> None:
    """Through the sign-in form, as a student would; ends on the page it redirects to."""
    page.goto("/signin" + (f"?next={next_path}" if next_path else ""))
    page.locator("#signin-form input#token[name=token]").fill(token)
    with page.expect_navigation():
        page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(next_path or "/") + "$"))


def editor_text(page: Page) -> str:
    """What CodeMirror holds: its whole document (the DOM shows only the lines in view)."""
    return str(page.evaluate("window.judgeEditor.state.doc.toString()"))


def replace_editor_text(page: Page, code: str) -> None:
    """Select everything in the editor and paste `code` over it, as a student pastes from their own editor.

    A paste event, not `keyboard.insert_text`: typing multi-line text straight into a contenteditable makes
    Chromium's editing engine write style attributes, which no real paste or keystroke does.
    """
    content = page.locator("#editor .cm-content")
    content.click()
    page.keyboard.press("Control+a")
    content.evaluate("""(element, code) => {
        const data = new DataTransfer();
        data.setData('text/plain', code);
        element.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", code)


def set_draft(page: Page, slug: str, code: str) -> None:
    """Store `code` as the draft for `slug` in this origin's localStorage (the page must be on this origin)."""
    page.evaluate("([key, code]) => localStorage.setItem(key, code)", [f"judge-draft:{slug}", code])


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, only the serious and critical ones.

    Evaluated over DevTools, so the page's CSP (which would refuse an injected <script>) does not apply.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation["impact"] in AXE_FAILING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        lines.extend(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}"
                     for node in violation["nodes"][:5])
    return "\n".join(lines)
