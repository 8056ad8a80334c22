"""The web pages: server-rendered with Jinja2, refreshed in place with htmx, every asset served from here.

`install(app)` adds the pages, the static files, an offline `/docs` and the
security headers to the API's app. The pages call the same store and admission
as the JSON API; they hold no state of their own.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api.web import admin, pages, results
from api.web.render import STATIC, page_context, templates
from api.web.security import CONTENT_SECURITY_POLICY, SecurityHeaders

__all__ = ["install"]

DOCS_POLICY = CONTENT_SECURITY_POLICY + "; img-src 'self' data:"  # Swagger UI's icons are data: SVGs in its CSS


def install(app: FastAPI) -> None:
    """Mount the pages, `/static` and `/docs` (Swagger UI from local files) on `app`."""
    for module in (pages, results, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "docs.html", {"title": f"{app.title}: API"},
                                          headers={"Content-Security-Policy": DOCS_POLICY})

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        if not _wants_page(request):
            return await http_exception_handler(request, exc)
        heading = HEADINGS.get(exc.status_code, "Something went wrong")
        return templates.TemplateResponse(
            request, "error.html", page_context(title=heading, heading=heading, detail=str(exc.detail)),
            status_code=exc.status_code, headers=exc.headers)


HEADINGS = {403: "Not allowed", 404: "Not found", 405: "Not allowed", 413: "Too large", 415: "Not a form",
            422: "Not understood", 429: "Too many submissions", 503: "Not available just now"}


def _wants_page(request: Request) -> bool:
    """An error on a page (or on an unknown path asked for by a browser) is a page; the API's stay JSON."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        return not route.include_in_schema and not request.headers.get("hx-request")
    return route is None and "text/html" in request.headers.get("accept", "")
