"""Where a wrong output goes wrong, in words: what was observed, kept apart from any likely mistake.

Trusted side only, and pure: it reads the cases' results, the probes' findings
(`judge.behaviour`) and the probe's own output against the reference. Numbers
quoted come from the probe's generated inputs, never from a hidden case.
"""

from __future__ import annotations

import numpy as np

from judge.behaviour import Behaviour
from judge.hints import WrongOutput
from judge.outputs import compare_all
from judge.problem import Problem
from judge.verdicts import CaseResult, Verdict

_ROW_MEAN = 0.02  # a LayerNorm-normalised row has mean 0 ...
_ROW_VARIANCE = 0.05  # ... and variance 1 (less eps): beyond these the rows are not normalised


def _spans(indices: list[int]) -> str:
    """[0, 1, 2, 5] -> '0-2, 5'."""
    parts: list[str] = []
    start = prev = indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    return ", ".join(parts)


def locate(problem: Problem, wrong: WrongOutput) -> str:
    """Which part of the output is wrong: the axis along which the errors are confined, if any."""
    index, comparison = compare_all(problem, wrong.outputs, wrong.expected, wrong.tolerance,
                                    wrong.case.pristine_inputs())
    label = "" if len(problem.outputs) == 1 else f"output {problem.outputs[index].name!r}: "
    got, expected = wrong.outputs[index].astype(np.float64), wrong.expected[index].astype(np.float64)
    exact = problem.outputs[index].compare == "exact"
    bad = got != expected if exact else np.abs(got - expected) > wrong.tolerance * (1.0 + np.abs(expected))
    if not bad.any():  # within the tolerance, but a folder's checker refused it: its words say why
        return f"{label}on fresh inputs drawn like the failing case: {comparison.message}"
    axes = problem.outputs[index].axes
    for axis in range(bad.ndim):
        along = bad.any(axis=tuple(a for a in range(bad.ndim) if a != axis))
        wrong_at = [int(i) for i in np.flatnonzero(along)]
        if 0 < len(wrong_at) < along.size:
            right_at = [int(i) for i in np.flatnonzero(~along)]
            word = axes[axis] if axis < len(axes) else f"index {axis}"
            return (f"{label}on fresh inputs drawn like the failing case, the output is wrong only at {word} "
                    f"{_spans(wrong_at)} (of {along.size}); {word} {_spans(right_at)} are right")
    share = float(bad.mean())
    scale = float(np.abs(expected).max(initial=0.0)) or 1.0
    return (f"{label}on fresh inputs drawn like the failing case, {share:.0%} of the {bad.size} elements are wrong, "
            f"spread over every {'axis' if bad.ndim > 1 else 'position'}; "
            f"the largest error is {np.abs(got - expected).max():.3g} on values up to {scale:.3g}")


def normalised_rows(problem: Problem, wrong: WrongOutput) -> str | None:
    """A block that ends in LayerNorm returns rows of mean 0 and variance 1: say so when they are not."""
    got = wrong.outputs[0].astype(np.float64)
    if not problem.probes.normalised_rows or got.ndim == 0 or got.shape[-1] < 2:
        return None
    mean = float(np.median(np.abs(got.mean(axis=-1))))
    variance = float(np.median(got.var(axis=-1)))
    if mean <= _ROW_MEAN and abs(variance - 1.0) <= _ROW_VARIANCE:
        return None
    return (f"the output rows are not LayerNorm-normalised (typical row mean {mean:.2f}, variance {variance:.2f}; "
            "expected 0 and 1): is the last LayerNorm missing, or applied before the residual is added?")


def split_by_size(results: list[CaseResult]) -> str | None:
    """A size that separates the passing cases from the failing ones, e.g. every case with one head passes."""
    passed = [r for r in results if r.verdict is Verdict.ACCEPTED]
    failed = [r for r in results if r.verdict is Verdict.WRONG_ANSWER]
    if not passed or not failed:
        return None
    for dim in sorted({d for r in results for d in r.dims}):
        if not all(dim in r.dims for r in passed + failed):
            continue
        if all(r.dims[dim] == 1 for r in passed) and all(r.dims[dim] > 1 for r in failed):
            return f"every case with {dim} = 1 passes and every case with {dim} > 1 fails"
        if all(r.dims[dim] > 1 for r in passed) and all(r.dims[dim] == 1 for r in failed):
            return f"every case with {dim} > 1 passes and every case with {dim} = 1 fails"
    return None


def diagnose(problem: Problem, results: list[CaseResult], behaviour: Behaviour) -> list[str]:
    """What was observed about a Wrong Answer, the most telling first."""
    lines = list(behaviour.observations)
    split = split_by_size(results)
    if split:
        lines.append(split)
    if behaviour.wrong is not None:
        rows = normalised_rows(problem, behaviour.wrong)
        if rows:
            lines.append(rows)
        lines.append(locate(problem, behaviour.wrong))
    if not lines:
        failed = ", ".join(r.name for r in results if r.verdict is Verdict.WRONG_ANSWER)
        if behaviour.ran:
            lines.append(f"fresh inputs drawn like the failing cases were answered right: only {failed} fail, "
                         "so look at what sets those cases apart (their sizes and inputs are listed above)")
        else:
            lines.append(f"the submission did not answer the judge's probes (it ended, or ran out of time); "
                         f"the failing cases are {failed}")
    return lines
