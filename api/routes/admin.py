"""Admin views: the problem catalogue as the server sees it, broken folders included."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool

from api.deps import UNAUTHORIZED, Caller, Settings, error
from api.schemas import ProblemFolder
from judge.problem import catalogue

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/problems", response_model=list[ProblemFolder], summary="Every problem folder, broken ones with why",
            description="Admins only. Students see only the served problems (`GET /problems`); a folder that "
                        "does not load is listed here with the reason, and answers 404 to students.",
            responses={**UNAUTHORIZED, 403: error("Only an admin may see the catalogue's folders.")})
async def problem_folders(caller: Caller, settings: Settings) -> list[ProblemFolder]:
    if caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can see the problem folders")
    found = await run_in_threadpool(catalogue, settings.problems_dir)
    served = [ProblemFolder(slug=slug, folder=str(p.folder), status="served") for slug, p in found.problems.items()]
    broken = [ProblemFolder(slug=Path(folder).name, folder=folder, status="broken", reason=why)
              for folder, why in found.broken.items()]
    return sorted(served + broken, key=lambda f: (f.slug, f.folder))
