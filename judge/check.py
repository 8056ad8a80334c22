"""`judge check`: validate a problem end to end through the real sandbox.

A problem is sound when its references agree, its cases cover the edge shapes,
every `solutions/correct` file is Accepted and every `solutions/wrong` file gets
the verdict its docstring declares ("Verdict: Wrong Answer").
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from judge.cases import Case, make_cases
from judge.expected import expected_for
from judge.grader import GradeOptions, grade
from judge.outputs import as_outputs, compare_all, largest_gap
from judge.problem import Problem
from judge.verdicts import GradeResult, Verdict

_DECLARED = re.compile(r"^\s*Verdict:\s*(.+?)\s*$", re.MULTILINE)
_MISTAKE = re.compile(r"^\s*Mistake:\s*([a-z0-9+-]+)\s*$", re.MULTILINE)
IN_FLOAT32_LIMIT = 1e-2  # in_float32 may stray from the reference by float32 rounding, never by this much
CHECK_SECRET = "judge-check"  # noqa: S105 - fixed so that checks reproduce; not a credential


@dataclass
class Check:
    """One property of the problem, held or not."""

    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    problem: str
    checks: list[Check] = field(default_factory=list)
    envelope: list[tuple[str, float, float]] = field(default_factory=list)  # case, worst error seen, tolerance

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def declared_verdict(source: str) -> Verdict | None:
    """The verdict a solution file declares in its docstring, if any."""
    match = _DECLARED.search(source)
    if match is None:
        return None
    try:
        return Verdict(match.group(1))
    except ValueError:
        return None


def declared_mistake(source: str) -> str | None:
    """The mistake a wrong solution declares ('Mistake: pre-ln', 'Mistake: pre-ln+relu', 'Mistake: none')."""
    match = _MISTAKE.search(source)
    return match.group(1) if match else None


def same_mistake(declared: str, named: str | None) -> bool:
    """Whether the judge named what was declared: 'none' wants no hint; a pair may come in either order."""
    if declared == "none":
        return named is None
    return named is not None and sorted(named.split("+")) == sorted(declared.split("+"))


def solution_files(problem: Problem, kind: str) -> list[Path]:
    return sorted((problem.folder / "solutions" / kind).glob("*.py"))


def _references_agree(problem: Problem, cases: list[Case]) -> Check:
    """The Torch (float32) baseline passes against the NumPy reference, and `variant({})` equals it."""
    torch_ref = problem.torch_function()
    failures = []
    for case in cases:
        expected = expected_for(problem, case)
        in_torch = as_outputs(problem, torch_ref(**case.pristine_inputs()))
        if not compare_all(problem, in_torch, expected.outputs, expected.tolerance, case.pristine_inputs())[1].passed:
            failures.append(f"baseline.py on {case.name}")
        # the tolerance grows with in_float32's distance from the reference: it must be rounding, not a bug
        in_float32 = as_outputs(problem, problem.in_float32(case.pristine_inputs()))
        scale = 1.0 + max(float(np.abs(o).max(initial=0.0)) for o in expected.outputs)
        if not largest_gap(in_float32, expected.outputs) <= IN_FLOAT32_LIMIT * scale:
            failures.append(f"reference.in_float32 on {case.name}")
        if problem.code.variant is not None:
            exact = as_outputs(problem, problem.variant({}, case.pristine_inputs()))
            if not largest_gap(exact, expected.outputs) <= 1e-12 * scale:
                failures.append(f"mistakes.variant({{}}) on {case.name}")
    detail = "; ".join(failures) or f"the reference, the Torch baseline and the mistakes agree on {len(cases)} cases"
    return Check("references agree", not failures, detail)


def _mistakes_show(problem: Problem, cases: list[Case]) -> list[Check]:
    """Every listed mistake (each choice of a family) must change the output beyond the tolerance on some case,
    or no case could name it. A mistake seen by a detector has no recipe to try."""
    checks = []
    for mistake in problem.mistakes:
        for recipe in mistake.recipes() if mistake.detect is None else []:
            shown = []
            for case in cases:
                expected = expected_for(problem, case)
                with np.errstate(all="ignore"):
                    wrong = as_outputs(problem, problem.variant(recipe, case.pristine_inputs()))
                if not compare_all(problem, wrong, expected.outputs, expected.tolerance,
                                   case.pristine_inputs())[1].passed:
                    shown.append(case.name)
            detail = f"on {', '.join(shown)}" if shown else "no case tells it from the reference: add one that does"
            label = ", ".join(f"{k} = {recipe[k]!r}" for k in mistake.fit if k in recipe)
            checks.append(Check(f"mistake {mistake.id}{f' ({label})' if label else ''} shows", bool(shown), detail))
    return checks


def _coverage(problem: Problem, cases: list[Case]) -> list[Check]:
    """The cases cover the edge shapes the manifest's `[coverage]` names, and the ones every problem needs."""
    wanted = problem.coverage
    specs = [c.spec for c in cases]

    def any_case(test: Callable[[dict[str, int]], bool]) -> bool:
        return any(test(s.dims) for s in specs)

    def every_dim(dims: tuple[str, ...], test: Callable[[int], bool]) -> bool:
        return all(any(test(s.dims[dim]) for s in specs) for dim in dims)

    def overflows(case: Case) -> bool:
        with np.errstate(all="ignore"):
            outs = as_outputs(problem, problem.variant(wanted.overflow or {}, case.pristine_inputs()))
        return not all(bool(np.isfinite(o).all()) for o in outs)

    checks = [
        ("a public sample", any(s.public for s in specs)),
        ("a hidden case", any(not s.public for s in specs)),
    ]
    if specs and specs[0].dims:
        checks.append(("non-power-of-two sizes", any_case(lambda d: any(v & (v - 1) for v in d.values()))))
    if wanted.batch:
        checks += [("batch of one", any_case(lambda d: d[wanted.batch] == 1)),
                   ("batch of several", any_case(lambda d: d[wanted.batch] > 1))]
    if wanted.time:
        checks.append(("a length-one time axis", every_dim(wanted.time, lambda v: v == 1)))
        if len(wanted.time) > 1:
            checks.append(("unequal time axes", any_case(lambda d: len({d[t] for t in wanted.time}) > 1)))
    if wanted.heads:
        checks += [("one head", every_dim((wanted.heads,), lambda v: v == 1)),
                   ("several heads", every_dim((wanted.heads,), lambda v: v > 1))]
    if wanted.near_constant_rows:
        checks.append(("near-constant rows", any(s.near_constant for s in specs)))
    if wanted.overflow is not None:
        checks.append(("scores that overflow an unstabilised float32 softmax", any(overflows(c) for c in cases)))
    if any(a.kind == "padding_mask" for a in problem.arguments):
        checks.append(("padding of varied lengths", any(s.padding == "varied" for s in specs)))
    checks += [(f"a {pattern} mask", any(s.mask == pattern for s in specs)) for pattern in wanted.masks]
    return [Check(f"cases cover {name}", ok, "present" if ok else "missing") for name, ok in checks]


def _failure(exc: BaseException) -> str:
    """An exception from a folder's code in one line, with the innermost frame of that code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/judge/" not in f.filename]
    where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"[:500]


def grade_solutions(problem: Problem, options: GradeOptions) -> Iterator[tuple[Path, Verdict, GradeResult]]:
    """Grade every solution file; yield (path, the verdict it should get, what it got)."""
    for path in solution_files(problem, "correct"):
        yield path, Verdict.ACCEPTED, grade(problem, path.read_text(encoding="utf-8"), options)
    for path in solution_files(problem, "wrong"):
        source = path.read_text(encoding="utf-8")
        declared = declared_verdict(source) or Verdict.WRONG_ANSWER
        yield path, declared, grade(problem, source, options)


def check_problem(problem: Problem, on_solution: Callable[[Path], None] | None = None) -> CheckReport:
    """Run every check; `on_solution` is called after each solution is graded (progress)."""
    report = CheckReport(problem.slug)
    try:
        cases = make_cases(problem, CHECK_SECRET)
        report.checks.append(_references_agree(problem, cases))
        report.checks.extend(_coverage(problem, cases))
        report.checks.extend(_mistakes_show(problem, cases))
    except Exception as exc:  # the folder's own code failed: a check that fails, named, never a traceback
        report.checks.append(Check("the folder's trusted code runs", False, _failure(exc)))
        return report
    for kind in ("correct", "wrong"):
        count = len(solution_files(problem, kind))
        report.checks.append(Check(f"solutions/{kind} present", count > 0, f"{count} file(s)"))
    worst: dict[str, float] = {}
    tolerance: dict[str, float] = {}
    options = GradeOptions(secret=CHECK_SECRET, timing=False)
    for path, wanted, result in grade_solutions(problem, options):
        if path.parent.name == "wrong" and declared_verdict(path.read_text(encoding="utf-8")) is None:
            report.checks.append(Check(f"{path.parent.name}/{path.name}", False,
                                       "declares no verdict: add a line 'Verdict: Wrong Answer' to its docstring"))
        else:
            ok = result.verdict is wanted
            detail = f"{result.verdict}" + ("" if ok else f", expected {wanted}")
            mistake = declared_mistake(path.read_text(encoding="utf-8"))
            if ok and result.verdict is Verdict.WRONG_ANSWER:
                if mistake is None:
                    ok, detail = False, f"{detail}; declares no mistake: add 'Mistake: <id>' (or 'Mistake: none')"
                elif not same_mistake(mistake, result.mistake):
                    ok = False
                    detail += f"; named {result.mistake or 'no mistake'}, but the file declares {mistake}"
            if result.hint:
                detail += f" (hint: {result.hint})"
            elif result.diagnosis:
                detail += f" (observed: {result.diagnosis[0]})"
            report.checks.append(Check(f"{path.parent.name}/{path.name}", ok, detail))
        if wanted is Verdict.ACCEPTED:
            for case in result.cases:
                if case.max_abs_error is not None and case.tolerance is not None:
                    worst[case.name] = max(worst.get(case.name, 0.0), case.max_abs_error)
                    tolerance[case.name] = case.tolerance
        if on_solution:
            on_solution(path)
    report.envelope = [(name, worst[name], tolerance[name]) for name in worst]
    return report
