"""Public routes: health and problems."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from api.deps import Settings, StoreDep
from api.schemas import Health, Problem, ProblemDetail, ProblemSummary, SampleCase
from judge.problem import UnknownProblem, discover, get_problem
from judge.sandbox import detect_isolation

router = APIRouter()


@router.get("/health", response_model=Health, summary="Liveness, queue depth and sandbox level")
def health(request: Request, settings: Settings, store: StoreDep) -> Health:
    level = detect_isolation().level
    return Health(queue_depth=store.queue_depth(), workers=request.app.state.pool.size, sandbox=level,
                  accepting=level == "bubblewrap" or settings.allow_unsandboxed)


@router.get("/problems", response_model=list[ProblemSummary], summary="Every problem, one line each")
def list_problems(settings: Settings) -> list[ProblemSummary]:
    return [ProblemSummary(slug=p.slug, title=p.title, summary=p.summary)
            for p in discover(settings.problems_dir).values()]


@router.get("/problems/{slug}", response_model=ProblemDetail, summary="A problem's statement, signature, starter",
            responses={404: {"model": Problem, "description": "No such problem"}})
def show_problem(slug: str, settings: Settings) -> ProblemDetail:
    try:
        problem = get_problem(slug, settings.problems_dir)
    except UnknownProblem as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return ProblemDetail(
        slug=problem.slug, title=problem.title, summary=problem.summary,
        statement=problem.statement_path.read_text(encoding="utf-8"), signature=problem.signature(),
        starter=problem.starter_path.read_text(encoding="utf-8"),
        samples=[SampleCase(name=c.name, seed=c.seed, dims=c.dims) for c in problem.cases if c.public],
    )
