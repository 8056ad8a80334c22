"""FastAPI dependencies: the settings, the store, the workers, the sandbox's last probe, the caller.

Everything lives on `app.state`, set up by `api.app.create_app`'s lifespan; tests
swap any of these through `app.dependency_overrides`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.notify import DoneBoard
from api.sandbox_monitor import SandboxState
from api.schemas import ErrorBody
from api.settings import ServiceSettings
from api.store import Account, Store, Submission
from api.workers import WorkerPool
from judge.problem import Problem, ProblemError, UnknownProblem, discover, get_problem
from judge.vetting import recorded

log = logging.getLogger(__name__)

MAX_SLUG = 100  # longer names are unknown without asking the file system (which refuses names over 255 bytes)

_bearer = HTTPBearer(auto_error=False, description="A token from `judge token create`.")


def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_pool(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


def get_board(request: Request) -> DoneBoard:
    """Where `?wait=true` requests wait for their verdicts (see api.notify)."""
    board: DoneBoard = request.app.state.board
    return board


def is_served(settings: ServiceSettings, problem: Problem) -> bool:
    """Whether students may see the problem: it loads and, unless checks are off, passed `judge check`."""
    return not settings.require_check or recorded(problem, settings.check_cache_dir).status == "passed"


def served_problems(settings: ServiceSettings) -> dict[str, Problem]:
    """The problems students see, by slug (blocking: call it in a thread)."""
    return {slug: p for slug, p in discover(settings.problems_dir).items() if is_served(settings, p)}


def find_problem(settings: ServiceSettings, slug: str) -> Problem:
    """The served problem named `slug`, or 404 (blocking: call it in a thread).

    A folder that does not load, or has not passed its check yet, is the admins'
    to see (GET /admin/problems); to students it is an unknown problem.
    """
    try:
        if len(slug) > MAX_SLUG:
            raise UnknownProblem(f"unknown problem {slug[:MAX_SLUG]!r}...: problem ids are short")
        problem = get_problem(slug, settings.problems_dir)
    except UnknownProblem as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _unknown(settings, slug)) from exc
    except ProblemError as exc:
        log.error("problem %r is broken and not served: %s", slug, exc)
        raise HTTPException(status.HTTP_404_NOT_FOUND, _unknown(settings, slug)) from None
    if not is_served(settings, problem):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _unknown(settings, slug))
    return problem


def _unknown(settings: ServiceSettings, slug: str) -> str:
    known = ", ".join(sorted(served_problems(settings))) or "none"
    return f"unknown problem {slug!r}; known problems: {known}"


def visible_submission(store: Store, caller: Account, submission_id: str) -> Submission:
    """The submission if `caller` may see it (its owner, or an admin); 404 otherwise, exactly as for an unknown
    id, so that ids cannot be probed (blocking: call it in a thread)."""
    submission = store.get(submission_id)
    if submission is None or (caller.role != "admin" and submission.owner != caller.name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no submission {submission_id!r}")
    return submission


def get_sandbox(request: Request) -> SandboxState:
    """The last probe of the sandbox's real launch path (see api.sandbox_monitor)."""
    state: SandboxState = request.app.state.monitor.state
    return state


async def get_caller(
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Account:
    """The account behind `Authorization: Bearer <token>`; 401 otherwise."""
    account = None
    if credentials is not None and credentials.scheme.lower() == "bearer" and credentials.credentials:
        account = await run_in_threadpool(store.account_for, credentials.credentials)
    if account is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid 'Authorization: Bearer <token>' header is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


Settings = Annotated[ServiceSettings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
Pool = Annotated[WorkerPool, Depends(get_pool)]
Board = Annotated[DoneBoard, Depends(get_board)]
Sandbox = Annotated[SandboxState, Depends(get_sandbox)]
Caller = Annotated[Account, Depends(get_caller)]


def error(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for an error answer."""
    return {"model": ErrorBody, "description": description}


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: error("No bearer token, or an unknown or revoked one.")}
