"""GET /problems and /problems/{slug}: public, read from the problems folder."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool

from api.deps import Settings, error, find_problem, served_problems
from api.schemas import ProblemDetail, ProblemSummary, SampleCase
from judge.cases import make_case
from judge.problem import Problem

router = APIRouter(prefix="/problems", tags=["problems"])


def samples_of(problem: Problem) -> list[SampleCase]:
    samples = []
    for spec in problem.cases:
        if not spec.public:
            continue
        inputs = make_case(problem, spec, secret="").inputs  # public cases ignore the secret
        shapes = {name: list(value.shape) if isinstance(value, np.ndarray) else None if value is None else []
                  for name, value in inputs.items()}
        samples.append(SampleCase(name=spec.name, seed=spec.seed, dims=dict(spec.dims), shapes=shapes))
    return samples


def _detail(problem: Problem) -> ProblemDetail:
    return ProblemDetail(
        slug=problem.slug, title=problem.title, summary=problem.summary,
        statement=problem.statement(), signature=problem.signature(),
        starter=problem.starter_path.read_text(encoding="utf-8"), samples=samples_of(problem),
    )


@router.get("", response_model=list[ProblemSummary], summary="Every problem, one line each",
            description="Public: no token needed. Only problems that have passed `judge check` on their current "
                        "content are listed (unless the server runs with JUDGE_REQUIRE_CHECK=false).")
async def list_problems(settings: Settings) -> list[ProblemSummary]:
    problems = await run_in_threadpool(served_problems, settings)
    return [ProblemSummary(slug=p.slug, title=p.title, summary=p.summary) for p in problems.values()]


@router.get("/{slug}", response_model=ProblemDetail, summary="A problem's statement, signature and starter code",
            description="Public. The samples are the public cases: their inputs are generated from their seed "
                        "and dims; the hidden cases are graded too but never shown.",
            responses={404: error("No problem with this slug.")})
async def show_problem(
    settings: Settings,
    slug: str = Path(description="The problem's id.", examples=["cross-attention"]),
) -> ProblemDetail:
    return await run_in_threadpool(lambda: _detail(find_problem(settings, slug)))
