"""Grading a class in parallel: one process per job, each grading whole submissions through `grade()`.

Parallel runs give the verdicts a serial run gives: every grading is the same
`grade()` on the same course secret, in its own sandbox; only the order in which
they finish differs, and results are returned in the students' order. The speed
comparison is never run here (`grade()` only marks an Accepted result's timing
"pending"): the caller measures it afterwards, one submission at a time, so that
parallel gradings cannot disturb the figures.

The pool's processes are the judge's own trusted code (each submission still
runs in its sandboxed child), so their results cross back as Python objects.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

from judge.grader import GradeOptions, grade
from judge.problem import Problem, get_problem
from judge.scoring import possible
from judge.verdicts import GradeResult, Verdict


@dataclass(frozen=True)
class Job:
    """One submission to grade: its position in the class, and its code."""

    index: int
    code: str


def default_jobs() -> int:
    """One grading at a time per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@functools.lru_cache(maxsize=4)
def _problem(problems_dir: str, slug: str) -> Problem:
    return get_problem(slug, problems_dir)


def _grade_in_pool(problems_dir: str, slug: str, code: str, options: GradeOptions) -> GradeResult:
    return grade(_problem(problems_dir, slug), code, options)


def _lost(problem: Problem, why: str) -> GradeResult:
    return GradeResult(problem.slug, Verdict.INTERNAL_ERROR, 0.0, [], "", details=[f"internal error: {why}"],
                       max_points=possible(problem.scoring, len(problem.cases)))


def grade_all(problem: Problem, jobs: Sequence[Job], options: GradeOptions, workers: int,
              on_done: Callable[[int], None] = lambda index: None) -> dict[int, GradeResult]:
    """Every job's result by index; `on_done(index)` after each (for a progress bar).

    With one worker, the grading runs in this process. A pool process that dies
    (killed by the machine's OOM killer, say) costs only the gradings it held:
    they are graded again, one at a time, in this process.
    """
    results: dict[int, GradeResult] = {}
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            results[job.index] = grade(problem, job.code, options)
            on_done(job.index)
        return results
    retry: list[Job] = []
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn")) as pool:
        root = str(problem.folder.parent)
        futures: dict[Future[GradeResult], Job] = {
            pool.submit(_grade_in_pool, root, problem.slug, job.code, options): job for job in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    results[job.index] = future.result()
                except BrokenProcessPool:
                    retry.append(job)
                    continue
                except Exception as exc:  # the pool's own failure, not the submission's: say so
                    results[job.index] = _lost(problem, f"the grading process failed: {type(exc).__name__}: {exc}")
                on_done(job.index)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    for job in sorted(retry, key=lambda j: j.index):
        results[job.index] = grade(problem, job.code, options)
        on_done(job.index)
    return results


__all__ = ["Job", "default_jobs", "grade_all"]
