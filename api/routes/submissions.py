"""Submissions: create (JSON or a multipart upload; 202, or the result with ?wait=true), read your own, list,
re-grade (admins).

Every route needs `Authorization: Bearer <token>`. A student sees only their
own submissions (another's id answers 404, exactly like an unknown id); an
admin sees everyone's and may re-grade.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.admission import admit, checked_code, parse_upload, read_capped, refuse_without_sandbox
from api.deps import UNAUTHORIZED, Board, Caller, Pool, Sandbox, Settings, StoreDep, error, visible_submission
from api.schemas import Queued, SubmissionIn, SubmissionOut, SubmissionPage, SubmissionSummary
from api.store import DONE, Store, Submission, aware

router = APIRouter(prefix="/submissions", tags=["submissions"])

JSON_ESCAPE_FACTOR = 6  # JSON may spell one byte of text as six ("\u0001")
ENVELOPE_BYTES = 4096  # room for the JSON around the code
WAIT_SLICE_S = 1.0  # a waiting request looks at the database at least this often, hint or not

_SUBMISSION_ID = Path(description="The id POST /submissions answered.", max_length=64)


def summary_of(submission: Submission) -> SubmissionSummary:
    return SubmissionSummary.model_validate({
        "id": submission.id, "problem": submission.problem, "owner": submission.owner,
        "status": submission.status, "verdict": submission.verdict, "score": submission.score,
        "attempts": submission.attempts, "created_at": aware(submission.created_at),
        "finished_at": aware(submission.finished_at) if submission.finished_at else None,
    })


def to_out(submission: Submission) -> SubmissionOut:
    result = submission.result()
    return SubmissionOut.model_validate({
        **summary_of(submission).model_dump(), "code": submission.code,
        "cases": result.get("cases", []), "points": result.get("points"), "max_points": result.get("max_points"),
        "hint": result.get("hint"), "mistake": result.get("mistake"),
        "diagnosis": result.get("diagnosis", []),
        "timing": result.get("timing"), "sandbox": result.get("sandbox"), "traceback": result.get("traceback"),
        "stdout": result.get("stdout", ""), "stderr": result.get("stderr", ""), "details": result.get("details", []),
        "judge_seconds": result.get("judge_seconds"),
        "started_at": aware(submission.started_at) if submission.started_at else None,
    })


def _parse(body: bytes, max_code_bytes: int) -> SubmissionIn:
    """The submission, or 422 (malformed, missing field, NUL bytes, not UTF-8) or 413 (code too long)."""
    try:
        payload = SubmissionIn.model_validate_json(body)
    except ValidationError as exc:
        detail = exc.errors(include_url=False, include_context=False, include_input=False)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, jsonable_encoder(detail)) from exc
    checked_code(payload.code, max_code_bytes)
    return payload


async def _wait_done(store: Store, board: Board, submission_id: str, timeout: float) -> Submission | None:
    """The submission once done, or None after `timeout` seconds. Woken by a hint (this host's worker, or
    PostgreSQL's notification from any host); the database, read at least every WAIT_SLICE_S, has the last
    word."""
    deadline = time.monotonic() + timeout
    with board.watching(submission_id) as finished:
        while True:
            current = await run_in_threadpool(store.get, submission_id)
            if current is None or current.status == DONE:
                return current
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), timeout=min(remaining, WAIT_SLICE_S))
            finished.clear()


_SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": SubmissionIn.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["problem", "code"],
                "properties": {
                    "problem": {"type": "string", "description": "A problem slug."},
                    "code": {"type": "string", "format": "binary",
                             "description": "The Python file (`curl -F code=@block.py`), or the code as text."},
                    "timing": {"type": "string", "enum": ["true", "false"], "default": "true"},
                },
            }},
        },
    }
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Queued,
    summary="Submit code for grading",
    description="The submission is committed to the database before the answer: 202 with its id. With "
                "`?wait=true` the request waits for the verdict (at most JUDGE_WAIT_TIMEOUT_S) and answers 200 "
                "with the result, or 202 when the wait runs out. A refused submission (any 4xx or 503) stores "
                "nothing.",
    responses={
        200: {"model": SubmissionOut, "description": "Graded (with `?wait=true`)."},
        **UNAUTHORIZED,
        404: error("Unknown problem."),
        413: error("The body or the code is over the size limit (JUDGE_MAX_CODE_BYTES)."),
        422: error("Malformed JSON or form, a missing or mistyped field, NUL bytes, or text that is not UTF-8."),
        429: error("This token has JUDGE_MAX_PENDING_PER_OWNER submissions queued or running, is over its rate "
                   "limit, or the queue is full; see the Retry-After header."),
        503: error("The last probe of the sandbox failed (see GET /health): no code is taken until it works."),
    },
    openapi_extra=_SUBMISSION_BODY,
)
async def create_submission(
    request: Request, caller: Caller, settings: Settings, store: StoreDep, pool: Pool, board: Board,
    sandbox: Sandbox,
    wait: Annotated[bool, Query(description="Wait for the verdict (bounded by JUDGE_WAIT_TIMEOUT_S).")] = False,
) -> Any:
    refuse_without_sandbox(sandbox)
    limit = settings.max_code_bytes * JSON_ESCAPE_FACTOR + ENVELOPE_BYTES
    body = await read_capped(request, limit)
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        payload = await parse_upload(request.headers, body, settings.max_code_bytes)
    else:
        payload = _parse(body, settings.max_code_bytes)
    admitted = await admit(payload, caller, settings, store, pool)
    location = {"Location": f"/submissions/{admitted.id}"}
    current: Submission | None = admitted
    if wait:
        current = await _wait_done(store, board, admitted.id, settings.wait_timeout_s)
    if current is not None and current.status == DONE:
        return JSONResponse(jsonable_encoder(to_out(current)), status_code=status.HTTP_200_OK, headers=location)
    if wait:  # the wait ran out: say where it stands now
        current = await run_in_threadpool(store.get, admitted.id)
    queued = Queued.model_validate({"id": admitted.id, "status": current.status if current else "queued"})
    return JSONResponse(jsonable_encoder(queued), status_code=status.HTTP_202_ACCEPTED, headers=location)


@router.get("/{submission_id}", response_model=SubmissionOut, summary="One submission and its result",
            description="Yours (admins: anyone's). `verdict` and the result fields are set once `status` is 'done'.",
            responses={**UNAUTHORIZED, 404: error("No such submission, or not yours.")})
async def read_submission(submission_id: Annotated[str, _SUBMISSION_ID], caller: Caller,
                          store: StoreDep) -> SubmissionOut:
    return to_out(await run_in_threadpool(visible_submission, store, caller, submission_id))


@router.get("", response_model=SubmissionPage, summary="Your submissions, newest first",
            description="A student's own submissions; an admin's list has everyone's. Paginated by limit and "
                        "offset; `next_offset` is null on the last page.",
            responses=UNAUTHORIZED)
async def list_submissions(
    caller: Caller, store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
    problem: Annotated[str | None, Query(max_length=100, description="Only this problem's submissions.")] = None,
) -> SubmissionPage:
    owner = None if caller.role == "admin" else caller.name
    found = await run_in_threadpool(store.page, owner, limit + 1, offset, problem)
    return SubmissionPage(items=[summary_of(s) for s in found[:limit]], limit=limit, offset=offset,
                          next_offset=offset + limit if len(found) > limit else None)


@router.post("/{submission_id}/regrade", status_code=status.HTTP_202_ACCEPTED, response_model=Queued,
             summary="Grade a submission again (admins only)",
             description="Queues it again with a fresh attempt count; a grading of it under way is discarded, "
                         "so it still ends with exactly one verdict.",
             responses={**UNAUTHORIZED, 403: error("Only an admin may re-grade."),
                        404: error("No such submission.")})
async def regrade(submission_id: Annotated[str, _SUBMISSION_ID], caller: Caller, store: StoreDep,
                  pool: Pool) -> Queued:
    if caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can re-grade")
    if not await run_in_threadpool(store.requeue, submission_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no submission {submission_id!r}")
    pool.notify()
    return Queued(id=submission_id, status="queued")
