"""The student's pages: sign in and out, the problem list, a problem with its editor, and submitting from it.

Every form here also works without JavaScript: the editor is a textarea that
CodeMirror takes over when it can.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.admission import admit, checked_code, refuse_without_sandbox
from api.deps import Pool, Sandbox, Settings, StoreDep, find_problem, served_problems
from api.routes.problems import samples_of
from api.schemas import SubmissionIn
from api.settings import ServiceSettings
from api.store import Account
from api.web.render import markdown
from api.web.respond import page, redirect, safe_next, sign_in_first
from api.web.session import (
    SMALL_FORM_BYTES,
    Viewer,
    check_csrf,
    clear_session,
    make_session,
    read_form,
    set_session,
)

router = APIRouter(include_in_schema=False)

FORM_OVERHEAD = 4096  # the form's other fields
PERCENT_ENCODING = 3  # a urlencoded byte may take three ("%0A")
SLUG = Path(max_length=100)


@router.get("/", response_class=HTMLResponse)
async def problem_list(request: Request, settings: Settings, viewer: Viewer) -> Response:
    problems = await run_in_threadpool(served_problems, settings)
    return page(request, "problems.html", settings, viewer, problems=list(problems.values()))


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request, settings: Settings, viewer: Viewer,
                       next_: Annotated[str | None, Query(alias="next", max_length=500)] = None) -> Response:
    return page(request, "signin.html", settings, viewer, next=safe_next(next_), error=None, title="Sign in")


@router.post("/signin", response_class=HTMLResponse)
async def sign_in(request: Request, settings: Settings, store: StoreDep) -> Response:
    form = await read_form(request, SMALL_FORM_BYTES)
    check_csrf(request, form, settings.grading_secret())
    target = safe_next(form.get("next"))
    token = form.get("token", "").strip()
    account = await run_in_threadpool(store.account_for, token) if token else None
    if account is None:
        return page(request, "signin.html", settings, None, status_code=status.HTTP_401_UNAUTHORIZED,
                    next=target, title="Sign in",
                    error="That token is not valid. Copy it again from your course, or ask your teacher for one.")
    response = redirect(target)
    lifetime = settings.session_hours * 3600
    set_session(response, request, make_session(settings.grading_secret(), account, lifetime), lifetime)
    return response


@router.post("/signout")
async def sign_out(request: Request, settings: Settings) -> Response:
    form = await read_form(request, SMALL_FORM_BYTES)
    check_csrf(request, form, settings.grading_secret())
    response = redirect("/")
    clear_session(response)
    return response


def _problem_page(request: Request, settings: ServiceSettings, viewer: Account | None, slug: str,
                  code: str | None = None, error: str | None = None, retry_after: int | None = None,
                  status_code: int = status.HTTP_200_OK) -> Response:
    problem = find_problem(settings, slug)
    starter = problem.starter_path.read_text(encoding="utf-8")
    return page(request, "problem.html", settings, viewer, status_code=status_code,
                headers={"Retry-After": str(retry_after)} if retry_after else None,
                title=problem.title, problem=problem, statement=markdown(problem.statement()),
                signature=problem.signature(), samples=samples_of(problem), starter=starter,
                code=starter if code is None else code, error=error, retry_after=retry_after,
                max_code_bytes=settings.max_code_bytes)


@router.get("/p/{slug}", response_class=HTMLResponse)
async def problem_page(request: Request, settings: Settings, viewer: Viewer,
                       slug: Annotated[str, SLUG]) -> Response:
    return await run_in_threadpool(_problem_page, request, settings, viewer, slug)


@router.post("/p/{slug}/submit", response_class=HTMLResponse)
async def submit(request: Request, settings: Settings, store: StoreDep, pool: Pool,
                 sandbox: Sandbox, viewer: Viewer, slug: Annotated[str, SLUG]) -> Response:
    """The editor's form: a new submission, then its result page (303); a refusal re-renders the problem
    page with the code kept and the reason, and a countdown on 429."""
    if viewer is None:
        return sign_in_first(request)
    form = await read_form(request, settings.max_code_bytes * PERCENT_ENCODING + FORM_OVERHEAD)
    check_csrf(request, form, settings.grading_secret())
    code = form.get("code", "").replace("\r\n", "\n")  # a textarea sends CRLF line ends
    try:
        refuse_without_sandbox(sandbox)
        payload = SubmissionIn(problem=slug, code=checked_code(code, settings.max_code_bytes),
                               timing="timing" in form)
        admitted = await admit(payload, viewer, settings, store, pool)
    except HTTPException as refused:
        if refused.status_code == status.HTTP_404_NOT_FOUND:
            raise
        retry = (refused.headers or {}).get("Retry-After", "")
        return await run_in_threadpool(
            _problem_page, request, settings, viewer, slug, code, str(refused.detail),
            int(retry) if retry.isdigit() else None, refused.status_code)
    return redirect(f"/s/{admitted.id}")
