"""Submissions: create (202, or the result with ?wait=true), read your own, list, re-grade (admins)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from api.deps import Caller, Settings, StoreDep
from api.schemas import Problem, Queued, SubmissionIn, SubmissionOut, SubmissionPage
from api.store import Account, Store, Submission
from judge.problem import UnknownProblem, get_problem
from judge.sandbox import detect_isolation

router = APIRouter(prefix="/submissions", tags=["submissions"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No or an invalid bearer token"},
    404: {"model": Problem, "description": "Unknown problem or submission (or not yours)"},
}
_JSON_OVERHEAD = 4096  # room for the JSON around the code


def to_out(submission: Submission) -> SubmissionOut:
    result = submission.result()
    return SubmissionOut(
        id=submission.id, problem=submission.problem, status=submission.status,
        verdict=submission.verdict, score=result.get("score"), cases=result.get("cases", []),
        hint=result.get("hint"), timing=result.get("timing"), sandbox=result.get("sandbox"),
        traceback=result.get("traceback"), stdout=result.get("stdout", ""), stderr=result.get("stderr", ""),
        attempts=submission.attempts, created_at=submission.created_at, finished_at=submission.finished_at,
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit` (never read in full)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the request is over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"the request is over {limit} bytes")
    return bytes(body)


def _too_many(retry_after: int, why: str) -> HTTPException:
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, why, headers={"Retry-After": str(retry_after)})


def _rate_limit(request: Request, caller: Account, per_minute: int) -> None:
    windows: dict[str, deque[float]] = request.app.state.rate_windows
    window = windows.setdefault(caller.name, deque())
    now = time.monotonic()
    while window and now - window[0] > 60:
        window.popleft()
    if len(window) >= per_minute:
        raise _too_many(int(60 - (now - window[0])) + 1, f"more than {per_minute} submissions a minute")
    window.append(now)


def _visible(store: Store, caller: Account, submission_id: str) -> Submission:
    submission = store.get(submission_id)
    if submission is None or (caller.role != "admin" and submission.owner != caller.name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no submission {submission_id!r}")
    return submission


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=Queued | SubmissionOut,
    summary="Submit code for grading",
    description="Stored before the answer. With `?wait=true`, waits (bounded) and answers 200 with the result.",
    responses={**_ERRORS, 200: {"model": SubmissionOut, "description": "Finished (with ?wait=true)"},
               413: {"model": Problem, "description": "Code over the size limit"},
               422: {"model": Problem, "description": "Malformed JSON, a missing field, NUL bytes"},
               429: {"model": Problem, "description": "Rate or queue limit; see Retry-After"},
               503: {"model": Problem, "description": "No sandbox, and unsandboxed grading is not allowed"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": SubmissionIn.model_json_schema(ref_template="#/components/schemas/{model}")}}}},
)
async def create_submission(
    request: Request, response: Response, caller: Caller, settings: Settings, store: StoreDep,
    wait: Annotated[bool, Query(description="Wait for the verdict (bounded by JUDGE_WAIT_TIMEOUT_S)")] = False,
) -> Queued | SubmissionOut:
    body = await _read_capped(request, settings.max_code_bytes * 2 + _JSON_OVERHEAD)
    try:
        payload = SubmissionIn.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(422,
                            exc.errors(include_url=False, include_context=False, include_input=False)) from exc
    if len(payload.code.encode("utf-8", errors="surrogatepass")) > settings.max_code_bytes:
        raise HTTPException(413,
                            f"the code is over the limit of {settings.max_code_bytes} bytes")
    if "\x00" in payload.code:
        raise HTTPException(422, "the code contains NUL bytes")
    try:
        payload.code.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HTTPException(422, "the code is not valid UTF-8 text") from exc
    try:
        get_problem(payload.problem, settings.problems_dir)
    except UnknownProblem as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    if detect_isolation().level != "bubblewrap" and not settings.allow_unsandboxed:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            "no sandbox here: submissions are refused (set JUDGE_ALLOW_UNSANDBOXED=true to override)")
    if await run_in_threadpool(store.queue_depth) >= settings.max_queue:
        raise _too_many(10, f"the queue is full ({settings.max_queue} submissions)")
    _rate_limit(request, caller, settings.rate_limit_per_minute)
    submission = await run_in_threadpool(store.add_submission, caller.name, payload.problem, payload.code,
                                         payload.timing)
    if wait:
        deadline = time.monotonic() + settings.wait_timeout_s
        while time.monotonic() < deadline:
            current = await run_in_threadpool(store.get, submission.id)
            if current is not None and current.status == "done":
                response.status_code = status.HTTP_200_OK
                return to_out(current)
            await asyncio.sleep(0.05)
    return Queued(id=submission.id, status="queued")


@router.get("/{submission_id}", response_model=SubmissionOut, summary="One of your submissions", responses=_ERRORS)
def read_submission(submission_id: str, caller: Caller, store: StoreDep) -> SubmissionOut:
    return to_out(_visible(store, caller, submission_id))


@router.get("", response_model=SubmissionPage, summary="Your submissions, newest first (admins: everyone's)",
            responses={401: _ERRORS[401]})
def list_submissions(
    caller: Caller, store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SubmissionPage:
    owner = None if caller.role == "admin" else caller.name
    return SubmissionPage(items=[to_out(s) for s in store.list_for(owner, limit, offset)], limit=limit, offset=offset)


@router.post("/{submission_id}/regrade", status_code=status.HTTP_202_ACCEPTED, response_model=Queued,
             summary="Grade a submission again (admins only)",
             responses={**_ERRORS, 403: {"model": Problem, "description": "Not an admin"}})
def regrade(submission_id: str, caller: Caller, store: StoreDep) -> Queued:
    if caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can re-grade")
    _visible(store, caller, submission_id)
    store.requeue(submission_id)
    return Queued(id=submission_id, status="queued")
