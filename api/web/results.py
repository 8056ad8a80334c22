"""A submission's result page, the pieces htmx refreshes on it, and a student's history.

A result page polls while its grading runs and stops once the verdict is in; the
speed figure polls on its own until it is measured, so the verdict is never held
back for it. Without JavaScript the page refreshes itself instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.deps import Settings, StoreDep, visible_submission
from api.store import Account, Store, Submission
from api.web.render import diff_lines
from api.web.respond import fragment, page, sign_in_first
from api.web.session import Viewer
from api.web.views import result_view

router = APIRouter(include_in_schema=False)

HISTORY_ROWS = 100
SUBMISSION_ID = Path(max_length=64)


@router.get("/s/{submission_id}", response_class=HTMLResponse)
async def result_page(request: Request, settings: Settings, store: StoreDep, viewer: Viewer,
                      submission_id: Annotated[str, SUBMISSION_ID]) -> Response:
    if viewer is None:
        return sign_in_first(request)

    def load() -> tuple[Submission, Submission | None]:
        submission = visible_submission(store, viewer, submission_id)
        return submission, store.previous(submission)

    submission, previous = await run_in_threadpool(load)
    diff = diff_lines(previous.code, submission.code) if previous is not None else []
    return page(request, "result.html", settings, viewer, title=f"{submission.problem}: result",
                view=result_view(submission), previous=previous, diff=diff)


async def _section(request: Request, store: Store, viewer: Account | None, submission_id: str,
                   template: str) -> Response:
    if viewer is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "signed out")
    submission = await run_in_threadpool(visible_submission, store, viewer, submission_id)
    return fragment(request, template, view=result_view(submission))


@router.get("/s/{submission_id}/result", response_class=HTMLResponse)
async def result_fragment(request: Request, store: StoreDep, viewer: Viewer,
                          submission_id: Annotated[str, SUBMISSION_ID]) -> Response:
    """The verdict section, for htmx to swap in while the grading runs."""
    return await _section(request, store, viewer, submission_id, "_result.html")


@router.get("/s/{submission_id}/speed", response_class=HTMLResponse)
async def speed_fragment(request: Request, store: StoreDep, viewer: Viewer,
                         submission_id: Annotated[str, SUBMISSION_ID]) -> Response:
    """The speed section, for htmx to swap in until the comparison is measured."""
    return await _section(request, store, viewer, submission_id, "_speed.html")


@router.get("/history", response_class=HTMLResponse)
async def history(request: Request, settings: Settings, store: StoreDep, viewer: Viewer,
                  problem: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    if viewer is None:
        return sign_in_first(request)
    rows = await run_in_threadpool(store.page, viewer.name, HISTORY_ROWS, 0, problem or None)
    return page(request, "history.html", settings, viewer, title="Your submissions", rows=rows,
                problem=problem or None)


@router.get("/p/{slug}/history", response_class=HTMLResponse)
async def problem_history(request: Request, settings: Settings, store: StoreDep, viewer: Viewer,
                          slug: Annotated[str, Path(max_length=100)]) -> Response:
    return await history(request, settings, store, viewer, slug)
