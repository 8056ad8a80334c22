"""A problem's outputs as arrays, and their comparison: one value or several, float, integer or scalar.

Trusted side only. Whatever the reference, a mistake's variant, the Torch
baseline or the sandbox returns becomes a list of plain arrays here, one per
output the manifest declares, and each is compared the way its output says:
the derived float tolerance (`judge.compare`), exact equality, or the folder's
own checker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from judge.compare import Comparison, compare_exact, compare_outputs
from judge.problem import Output, Problem


class OutputError(ValueError):
    """A trusted function returned something that is not the declared outputs."""


def _plain(value: Any) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch here
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.hasobject or array.dtype.kind not in "biuf":
        raise OutputError(f"an output of {array.dtype} is not a plain number or array of numbers")
    return array


def as_outputs(problem: Problem, value: Any) -> list[np.ndarray]:
    """A trusted function's return value as one array per declared output: float64 or int64."""
    declared = problem.outputs
    values: Sequence[Any] = [value]
    if len(declared) > 1:
        if not isinstance(value, tuple | list) or len(value) != len(declared):
            raise OutputError(f"expected a tuple of {len(declared)} outputs ({', '.join(o.name for o in declared)})")
        values = value
    arrays = []
    for output, item in zip(declared, values, strict=True):
        array = _plain(item)
        arrays.append(array.astype(np.int64 if output.dtype == "int" else np.float64))
    return arrays


def largest_gap(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """The largest absolute difference over every output; infinite when a shape differs."""
    if any(x.shape != y.shape for x, y in zip(a, b, strict=True)):
        return math.inf
    return max((float(np.abs(x.astype(np.float64) - y).max(initial=0.0)) for x, y in zip(a, b, strict=True)),
               default=0.0)


def named(problem: Problem, index: int, message: str) -> str:
    """`message` about output `index`, prefixed with the output's name when there are several."""
    if len(problem.outputs) == 1:
        return message
    return f"output {problem.outputs[index].name!r}: {message}"


def compare_one(problem: Problem, output: Output, got: np.ndarray, expected: np.ndarray, tolerance: float,
                inputs: dict[str, Any]) -> Comparison:
    """One output against its expected value, as the output's `compare` says."""
    if output.compare == "exact":
        return compare_exact(got, expected, output.axes)
    comparison = compare_outputs(got, expected, tolerance, output.axes, integer=output.dtype == "int")
    if output.compare == "checker" and comparison.contract_error is None:
        checker = problem.code.checker
        assert checker is not None  # the loader requires it
        reason = checker(np.array(got), np.array(expected), inputs, tolerance)
        return comparison.judged(reason)
    return comparison


def compare_all(problem: Problem, got: Sequence[np.ndarray], expected: Sequence[np.ndarray], tolerance: float,
                inputs: dict[str, Any]) -> tuple[int, Comparison]:
    """Every output in order; the first one that fails (its index and comparison), else the last one's pass.

    The pass that is returned carries the largest error over the float outputs.
    """
    if len(got) != len(expected):
        failed = Comparison(False, f"returned {len(got)} outputs; expected {len(expected)} "
                                   f"({', '.join(o.name for o in problem.outputs)})",
                            None, None, 0, 0, tolerance, None)
        return 0, failed
    best: tuple[int, Comparison] | None = None
    for index, (output, out, ref) in enumerate(zip(problem.outputs, got, expected, strict=True)):
        comparison = compare_one(problem, output, out, ref, tolerance, inputs)
        if not comparison.passed:
            return index, comparison
        if best is None or (comparison.max_abs_error or 0.0) > (best[1].max_abs_error or 0.0):
            best = (index, comparison)
    assert best is not None
    return best
