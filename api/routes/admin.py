"""Admin views: the problem catalogue as the server sees it, broken folders included."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from api.deps import UNAUTHORIZED, Caller, Settings, error
from api.schemas import ProblemFolder
from api.settings import ServiceSettings
from judge.problem import catalogue
from judge.vetting import recorded

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/problems", response_model=list[ProblemFolder], summary="Every problem folder, broken ones with why",
            description="Admins only. Students see only the served problems (`GET /problems`). Every other folder "
                        "is listed here with its status and the reason: `broken` (does not load), `unchecked` "
                        "(waiting for `judge check`), `checking` (the check runs now) or `failed` (the check "
                        "failed); each answers 404 to students.",
            responses={**UNAUTHORIZED, 403: error("Only an admin may see the catalogue's folders.")})
async def problem_folders(request: Request, caller: Caller, settings: Settings) -> list[ProblemFolder]:
    if caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can see the problem folders")
    checking = getattr(request.app.state, "watcher", None)
    return await run_in_threadpool(_folders, settings, checking.checking if checking else None)


def _folders(settings: ServiceSettings, checking: str | None) -> list[ProblemFolder]:
    found = catalogue(settings.problems_dir)
    listed = [ProblemFolder(slug=Path(folder).name, folder=folder, status="broken", reason=why)
              for folder, why in found.broken.items()]
    for slug, problem in found.problems.items():
        if not settings.require_check:
            listed.append(ProblemFolder(slug=slug, folder=str(problem.folder), status="served"))
            continue
        vetting = recorded(problem, settings.check_cache_dir)
        if vetting.status == "passed":
            listed.append(ProblemFolder(slug=slug, folder=str(problem.folder), status="served"))
        elif vetting.status == "failed":
            listed.append(ProblemFolder(slug=slug, folder=str(problem.folder), status="failed",
                                        reason="judge check failed: " + "; ".join(vetting.failures)))
        else:
            state = "checking" if checking == str(problem.folder) else "unchecked"
            listed.append(ProblemFolder(slug=slug, folder=str(problem.folder), status=state,
                                        reason="judge check has not passed on this content yet"))
    return sorted(listed, key=lambda f: (f.slug, f.folder))
