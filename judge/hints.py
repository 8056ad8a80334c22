"""Name the likely mistake: match a wrong output against the problem's known-wrong variants.

Trusted side only. Each mistake in the manifest has a recipe, which the
problem folder's `mistakes.py` builds; its variant is computed on the same
inputs and compared with the submission's output under the tolerance the
mistake's own arithmetic allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judge.cases import Case
from judge.outputs import OutputError, as_outputs, compare_all
from judge.problem import Mistake, Problem


@dataclass(frozen=True)
class WrongOutput:
    """A case whose output was readable but wrong."""

    case: Case
    outputs: list[np.ndarray]  # what the submission returned, one array per output
    expected: tuple[np.ndarray, ...]  # the reference outputs
    tolerance: float


def _largest_gap(a: list[np.ndarray], b: tuple[np.ndarray, ...] | list[np.ndarray]) -> float:
    return max((float(np.abs(x.astype(np.float64) - y).max(initial=0.0)) for x, y in zip(a, b, strict=True)
                if x.shape == y.shape), default=0.0)


def _mistake_tolerance(problem: Problem, wrong: WrongOutput, mistake: Mistake, variant: list[np.ndarray]) -> float:
    if mistake.recipe.get("dtype") in (None, "float64", "float32"):
        # the mistaken block can be worse conditioned than the right one: allow its own float32 error
        in_float32 = as_outputs(problem, problem.variant(mistake.recipe, wrong.case.pristine_inputs(),
                                                         dtype="float32"))
        return max(wrong.tolerance, problem.tolerance.safety * _largest_gap(in_float32, variant))
    # Rounding in a lower precision differs between implementations, so a low-precision
    # mistake matches when the output strays from the variant by no more than the
    # variant strays from the reference (twice over): errors of the same precision.
    return 2.0 * _largest_gap(variant, wrong.expected)


def _matches(problem: Problem, mistake: Mistake, wrong: WrongOutput) -> bool:
    with np.errstate(all="ignore"):
        try:
            expected = as_outputs(problem, problem.variant(mistake.recipe, wrong.case.pristine_inputs()))
        except OutputError:
            return False
        if any(e.shape != w.shape or not np.isfinite(e).all() for e, w in zip(expected, wrong.outputs, strict=True)):
            return False
        tolerance = _mistake_tolerance(problem, wrong, mistake, expected)
    _, comparison = compare_all(problem, wrong.outputs, expected, tolerance, wrong.case.pristine_inputs())
    return comparison.passed


def likely_mistake(problem: Problem, wrongs: list[WrongOutput]) -> Mistake | None:
    """The first mistake in manifest order whose variant reproduces every wrong output."""
    if not wrongs:
        return None
    for mistake in problem.mistakes:
        if all(_matches(problem, mistake, wrong) for wrong in wrongs):
            return mistake
    return None
