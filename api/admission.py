"""Taking a submission in: the code's checks, the multipart form, and the admission under the limits.

Shared by the JSON API (`POST /submissions`) and the web page's form, so that both
refuse the same things with the same words and count against the same limits.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.deps import find_problem
from api.sandbox_monitor import SandboxState
from api.schemas import SubmissionIn
from api.settings import ServiceSettings
from api.store import Account, Store, Submission
from api.workers import WorkerPool

FORM_FIELDS = 8  # problem, code, timing and a few spare: a form with more is not ours


def checked_code(code: str, max_code_bytes: int) -> str:
    """`code` when it is text the sandbox can take; 413 when too long, 422 for NUL bytes or lone surrogates."""
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError as exc:  # lone surrogates ("\ud800"): not text
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the code is not valid UTF-8 text") from exc
    if size > max_code_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"the code is {size} bytes, over the limit of {max_code_bytes} bytes")
    if "\x00" in code:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the code contains NUL bytes")
    return code


def _too_large(limit: int) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the request body is over {limit} bytes")


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refused with 413 once it is known to exceed `limit`: by its Content-Length before a
    byte is read, or while streaming (chunked uploads), so an unbounded body is never held."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


async def _replay(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


async def parse_upload(headers: Headers, body: bytes, max_code_bytes: int) -> SubmissionIn:
    """A multipart form (`curl -F problem=cross-attention -F code=@block.py`): `code` may be a file or a
    text field, `timing` is optional ("true"/"false"). The body was already read under the size cap."""
    parser = MultiPartParser(headers, _replay(body), max_files=1, max_fields=FORM_FIELDS)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise _unprocessable(f"malformed multipart form: {exc.message}") from exc
    try:
        problem, code, timing = form.get("problem"), form.get("code"), form.get("timing", "true")
        if not isinstance(problem, str) or not problem:
            raise _unprocessable("the form needs a 'problem' field (a problem slug)")
        if isinstance(code, UploadFile):
            raw = await code.read()
            try:
                code = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _unprocessable("the uploaded code is not UTF-8 text") from exc
        if not isinstance(code, str):
            raise _unprocessable("the form needs a 'code' field: the file (-F code=@file.py) or the text")
        if not isinstance(timing, str) or timing.lower() not in {"true", "false", "1", "0", "on", "off"}:
            raise _unprocessable("'timing' is true or false")
        return SubmissionIn(problem=problem, code=checked_code(code, max_code_bytes),
                            timing=timing.lower() in {"true", "1", "on"})
    finally:
        await form.close()


def refuse_without_sandbox(sandbox: SandboxState) -> None:
    """503 while the last probe of the sandbox failed: no code is taken that could not be graded safely."""
    if not sandbox.result.ok:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            f"the sandbox does not work on this server, so no code is taken: {sandbox.result.line}",
                            headers={"Retry-After": "60"})


def _refusal(why: str, settings: ServiceSettings) -> str:
    """The one-line 429 detail for a refusal reason from `Store.admit`."""
    if why == "owner":
        return (f"this token already has {settings.max_pending_per_owner} submissions queued or running; "
                "wait for one to finish before submitting another")
    if why == "queue":
        return f"the queue is full ({settings.max_queue} submissions waiting or running)"
    return f"over {settings.rate_limit_per_minute} submissions a minute for this token"


async def admit(payload: SubmissionIn, caller: Account, settings: ServiceSettings, store: Store,
                pool: WorkerPool) -> Submission:
    """The stored submission, queued for a worker; 404 for an unknown problem, 429 (with Retry-After) over a
    limit. Nothing is stored when it is refused. The per-owner cap, the queue and the rate are counted with
    the insert under a database lock (`Store.admit`), so they hold across every API host."""
    await run_in_threadpool(find_problem, settings, payload.problem)
    admitted = await run_in_threadpool(
        lambda: store.admit(caller.name, payload.problem, payload.code, payload.timing,
                            max_queue=settings.max_queue, per_minute=settings.rate_limit_per_minute,
                            max_pending_per_owner=settings.max_pending_per_owner))
    if isinstance(admitted, tuple):
        why, retry_after = admitted
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, _refusal(why, settings),
                            headers={"Retry-After": str(retry_after)})
    pool.notify()
    return admitted
