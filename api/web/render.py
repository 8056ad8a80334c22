"""Turning statements and results into HTML: one Jinja2 environment, autoescaped everywhere, and Markdown
rendered without raw HTML.

Nothing a submission prints or returns is ever marked safe: it reaches a template
as a string and is escaped there. The only markup made in Python is a problem's
statement, from Markdown with raw HTML switched off (an author's `<script>` shows
as text), and maths left to KaTeX in the browser as text.
"""

from __future__ import annotations

import difflib
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # commonmark with tables; html=False turns raw HTML into text, and links are validated (no javascript:)
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin, double_inline=True)


@lru_cache(maxsize=64)
def markdown(text: str) -> Markup:
    """A statement as HTML; `$...$` and `$$...$$` become `.math` elements that KaTeX renders in the browser."""
    # a wide code block scrolls, so it takes the keyboard's focus to be scrolled without a mouse
    html = _markdown().render(text).replace("<pre>", '<pre tabindex="0">')
    return Markup(html)  # noqa: S704 - raw HTML is off: every tag here is markdown-it's own


def ratio(error: float | None, tolerance: float | None) -> str:
    """Error over tolerance, the figure that says how far off a case is: under 1 passes."""
    if error is None or tolerance is None or not math.isfinite(error):
        return ""
    if tolerance <= 0:
        return "exact" if error == 0 else "∞"
    value = error / tolerance
    return f"{value:.2g}" if value < 10 else f"{value:,.0f}"


def number(value: float | None) -> str:
    return "" if value is None else f"{value:.2e}"


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs, kind one of "add", "del", "hunk", "same"; empty when equal."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), "previous", "this", lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line))
    return lines


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=number)
    env.globals.update(ratio=ratio)
    return env


templates = Jinja2Templates(env=_environment())


def page_context(**values: Any) -> dict[str, Any]:
    """What every page's template reads, with `values` over it."""
    return {"viewer": None, "csrf": "", "title": "attention-judge", **values}
