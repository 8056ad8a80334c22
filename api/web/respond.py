"""Answering a page request: a template with the viewer and a CSRF token, a redirect, or an error page."""

from __future__ import annotations

from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.settings import ServiceSettings
from api.store import Account
from api.web.render import page_context, templates
from api.web.session import csrf_seed, csrf_token, set_csrf_cookie


def page(request: Request, template: str, settings: ServiceSettings, viewer: Account | None,
         status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None,
         **values: Any) -> HTMLResponse:
    """`template` rendered for `viewer`; the browser gets a CSRF cookie the first time it asks."""
    seed, new = csrf_seed(request)
    context = page_context(viewer=viewer, csrf=csrf_token(settings.grading_secret(), seed), **values)
    response = templates.TemplateResponse(request, template, context, status_code=status_code, headers=headers)
    response.headers["Cache-Control"] = "no-store"  # pages show a student's own code and results
    if new:
        set_csrf_cookie(response, request, seed)
    return response


def fragment(request: Request, template: str, **values: Any) -> HTMLResponse:
    """A piece of a page that htmx swaps in (no layout, no forms)."""
    response = templates.TemplateResponse(request, template, page_context(**values))
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str) -> RedirectResponse:
    """See Other: after a POST the browser GETs `url`, so a reload never posts twice."""
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def sign_in_first(request: Request) -> RedirectResponse:
    return redirect(f"/signin?next={request.url.path}")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//elsewhere` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
