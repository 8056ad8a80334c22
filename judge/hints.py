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
from judge.compare import compare_outputs
from judge.problem import Mistake, Problem


@dataclass(frozen=True)
class WrongOutput:
    """A case whose output was readable but wrong."""

    case: Case
    output: np.ndarray
    expected: np.ndarray  # the reference output
    tolerance: float


def _mistake_tolerance(problem: Problem, wrong: WrongOutput, mistake: Mistake, variant: np.ndarray) -> float:
    if mistake.recipe.get("dtype") in (None, "float64", "float32"):
        # the mistaken block can be worse conditioned than the right one: allow its own float32 error
        in_float32 = problem.variant(mistake.recipe, wrong.case.pristine_inputs(), dtype="float32")
        own_error = float(np.abs(np.asarray(in_float32, dtype=np.float64) - variant).max())
        return max(wrong.tolerance, problem.tolerance.safety * own_error)
    # Rounding in a lower precision differs between implementations, so a low-precision
    # mistake matches when the output strays from the variant by no more than the
    # variant strays from the reference (twice over): errors of the same precision.
    return 2.0 * float(np.abs(variant - wrong.expected).max())


def _matches(problem: Problem, mistake: Mistake, wrong: WrongOutput) -> bool:
    with np.errstate(all="ignore"):
        expected = np.asarray(problem.variant(mistake.recipe, wrong.case.pristine_inputs()), dtype=np.float64)
        if expected.shape != wrong.output.shape or not np.isfinite(expected).all():
            return False
        tolerance = _mistake_tolerance(problem, wrong, mistake, expected)
    return compare_outputs(wrong.output, expected, tolerance, problem.output_axes).passed


def likely_mistake(problem: Problem, wrongs: list[WrongOutput]) -> Mistake | None:
    """The first mistake in manifest order whose variant reproduces every wrong output."""
    if not wrongs:
        return None
    for mistake in problem.mistakes:
        if all(_matches(problem, mistake, wrong) for wrong in wrongs):
            return mistake
    return None
