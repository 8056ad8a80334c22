"""The admin's page: every submission, filtered by student and by problem, a tally of both, and re-grading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.deps import Pool, Settings, StoreDep
from api.store import Account
from api.web.respond import page, redirect, sign_in_first
from api.web.session import SMALL_FORM_BYTES, Viewer, check_csrf, read_form

router = APIRouter(prefix="/admin", include_in_schema=False)

ROWS = 100


def _admin_only(viewer: Account) -> None:
    if viewer.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can see this page")


@router.get("", response_class=HTMLResponse)
async def admin_page(request: Request, settings: Settings, store: StoreDep, viewer: Viewer,
                     owner: Annotated[str | None, Query(max_length=64)] = None,
                     problem: Annotated[str | None, Query(max_length=100)] = None,
                     offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    if viewer is None:
        return sign_in_first(request)
    _admin_only(viewer)
    owner, problem = owner or None, problem or None
    rows = await run_in_threadpool(store.page, owner, ROWS + 1, offset, problem)
    tally = await run_in_threadpool(store.tally, owner, problem)
    return page(request, "admin.html", settings, viewer, title="Admin: submissions", rows=rows[:ROWS],
                tally=tally, owner=owner or "", problem=problem or "", offset=offset,
                next_offset=offset + ROWS if len(rows) > ROWS else None)


@router.post("/regrade/{submission_id}")
async def regrade(request: Request, settings: Settings, store: StoreDep, pool: Pool, viewer: Viewer,
                  submission_id: Annotated[str, Path(max_length=64)]) -> Response:
    if viewer is None:
        return sign_in_first(request)
    form = await read_form(request, SMALL_FORM_BYTES)
    check_csrf(request, form, settings.grading_secret())
    _admin_only(viewer)
    if not await run_in_threadpool(store.requeue, submission_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no submission {submission_id!r}")
    pool.notify()
    return redirect(f"/s/{submission_id}")
