"""What a case should produce: the float64 reference and the case's tolerance (trusted side)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judge.cases import Case
from judge.compare import allowed_error
from judge.problem import Problem


@dataclass(frozen=True)
class Expected:
    """The reference output of a case and how far a correct float32 answer may stray from it."""

    output: np.ndarray  # float64, from the NumPy reference
    tolerance: float  # see judge.compare
    float32_error: float  # the block's own error when computed in float32 on this case


def expected_for(problem: Problem, case: Case) -> Expected:
    """Run the reference (float64) and the float32 variant on pristine copies of the inputs."""
    from reference.variants import Recipe  # trusted side only

    reference = problem.reference_function()
    variant = problem.variant_function()
    output = np.asarray(reference(**_copies(case)), dtype=np.float64)
    in_float32 = np.asarray(variant(**_copies(case), recipe=Recipe(dtype="float32")), dtype=np.float64)
    float32_error = float(np.abs(in_float32 - output).max()) if output.size else 0.0
    return Expected(output, allowed_error(problem, case.spec, float32_error), float32_error)


def _copies(case: Case) -> dict[str, object]:
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in case.inputs.items()}
