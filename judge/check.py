"""`judge check`: validate a problem end to end through the real sandbox.

A problem is sound when its references agree, its cases cover the edge shapes,
every `solutions/correct` file is Accepted and every `solutions/wrong` file gets
the verdict its docstring declares ("Verdict: Wrong Answer").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from judge.cases import Case, make_cases
from judge.compare import compare_outputs
from judge.expected import expected_for
from judge.grader import GradeOptions, grade
from judge.problem import Problem
from judge.verdicts import GradeResult, Verdict

_DECLARED = re.compile(r"^\s*Verdict:\s*(.+?)\s*$", re.MULTILINE)
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


def solution_files(problem: Problem, kind: str) -> list[Path]:
    return sorted((problem.folder / "solutions" / kind).glob("*.py"))


def _references_agree(problem: Problem, cases: list[Case]) -> Check:
    """The Torch (float32) reference and the exact Recipe() variant both pass against the NumPy one."""
    from reference.variants import Recipe

    torch_ref, variant = problem.torch_function(), problem.variant_function()
    failures = []
    for case in cases:
        expected = expected_for(problem, case)
        in_torch = np.asarray(torch_ref(**case.inputs).cpu().numpy())
        exact = np.asarray(variant(**case.inputs, recipe=Recipe()), dtype=np.float64)
        if not compare_outputs(in_torch, expected.output, expected.tolerance, problem.output_axes).passed:
            failures.append(f"torch on {case.name}")
        if not np.allclose(exact, expected.output, rtol=0, atol=1e-12):
            failures.append(f"variants.Recipe() on {case.name}")
    detail = "; ".join(failures) or f"NumPy, Torch and the variant recipe agree on {len(cases)} cases"
    return Check("references agree", not failures, detail)


def _coverage(problem: Problem, cases: list[Case]) -> list[Check]:
    """The cases cover the edge shapes every problem needs."""
    from reference.variants import Recipe

    activations = [a for a in problem.arguments if a.kind == "activation"]
    batch_dim = activations[0].shape[0]
    time_dims = {a.shape[1] for a in activations}
    head_dims = {a.dim for a in problem.arguments if a.kind == "int"}
    specs = [c.spec for c in cases]

    def any_case(test: Callable[[dict[str, int]], bool]) -> bool:
        return any(test(s.dims) for s in specs)

    def every_dim(dims: set[str], test: Callable[[int], bool]) -> bool:
        return all(any(test(s.dims[dim]) for s in specs) for dim in dims)

    variant = problem.variant_function()

    def overflows(case: Case) -> bool:
        with np.errstate(all="ignore"):
            out = variant(**case.inputs, recipe=Recipe(dtype="float32", stable_softmax=False))
        return not bool(np.isfinite(out).all())

    checks = [
        ("batch of one", any_case(lambda d: d[batch_dim] == 1)),
        ("batch of several", any_case(lambda d: d[batch_dim] > 1)),
        ("a length-one time axis", every_dim(time_dims, lambda v: v == 1)),
        ("one head", every_dim(head_dims, lambda v: v == 1)),
        ("several heads", every_dim(head_dims, lambda v: v > 1)),
        ("non-power-of-two sizes", any_case(lambda d: any(v & (v - 1) for v in d.values()))),
        ("a public sample", any(s.public for s in specs)),
        ("a hidden case", any(not s.public for s in specs)),
        ("near-constant rows", any(s.near_constant for s in specs)),
        ("scores that overflow an unstabilised float32 softmax", any(overflows(c) for c in cases)),
    ]
    if len(time_dims) > 1:
        checks.append(("unequal time axes", any_case(lambda d: len({d[t] for t in time_dims}) > 1)))
    if any(a.kind == "padding_mask" for a in problem.arguments):
        checks.append(("padding of varied lengths", any(s.padding == "varied" for s in specs)))
    return [Check(f"cases cover {name}", ok, "present" if ok else "missing") for name, ok in checks]


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
    cases = make_cases(problem, CHECK_SECRET)
    report.checks.append(_references_agree(problem, cases))
    report.checks.extend(_coverage(problem, cases))
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
            if result.hint:
                detail += f" (hint: {result.hint})"
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
