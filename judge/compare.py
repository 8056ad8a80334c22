"""Compare a submission's output with the reference: a strict contract, then a tolerance.

Pure functions on the trusted side. The output arrives as a plain ndarray
decoded from `.npy` bytes without pickle; nothing here runs submitted code.

The tolerance. An element passes when |out - ref| <= tol * (1 + |ref|), with

    tol = safety * max(eps(dtype) * sqrt(K), err32)

`eps(dtype) * sqrt(K)` is the usual estimate of the rounding error of a chain of
K accumulations in `dtype` (K is the sum of the dims the manifest names as the
block's depth). `err32` is the error the block itself shows when computed in
float32 on this very case (the trusted variant with `dtype="float32"`), which
grows on ill-conditioned inputs such as near-constant LayerNorm rows. `safety`
(16 by default) is headroom for other correct summation orders. Every value is
derived from the dtype, the problem's sizes and the case; nothing is a magic
constant chosen per problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from judge.problem import CaseSpec, Problem


@dataclass(frozen=True)
class Worst:
    """The element with the largest error, named in problem terms."""

    index: tuple[int, ...]
    named: str  # e.g. "batch 1, decoder position 4, feature 17"
    expected: float
    got: float


@dataclass(frozen=True)
class Comparison:
    """The outcome of checking one output against its reference."""

    passed: bool
    contract_error: str | None  # why the output broke the contract, if it did
    max_abs_error: float | None
    max_rel_error: float | None
    mismatches: int  # elements outside the tolerance
    total: int
    tolerance: float
    worst: Worst | None

    @property
    def message(self) -> str:
        if self.contract_error:
            return self.contract_error
        if self.passed:
            return f"max abs error {self.max_abs_error:.2e} within tolerance {self.tolerance:.2e}"
        if self.worst is None:
            return "rejected"
        return f"{self.mismatches} of {self.total} elements off; worst at {self.worst.named}"

    def judged(self, reason: str | None) -> Comparison:
        """This comparison with a checker's word: None accepts, a reason rejects."""
        if reason is None:
            return replace(self, passed=True, mismatches=0)
        return replace(self, passed=False, contract_error=str(reason)[:2000])


def rounding_bound(problem: Problem, spec: CaseSpec) -> float:
    """eps(dtype) * sqrt(K): the rounding-error scale of the block in its dtype."""
    depth = sum(spec.dims[d] for d in problem.tolerance.depth)
    return float(np.finfo(np.dtype(problem.tolerance.dtype)).eps) * math.sqrt(depth)


def allowed_error(problem: Problem, spec: CaseSpec, float32_error: float) -> float:
    """The case's tolerance (see the module docstring)."""
    return problem.tolerance.safety * max(rounding_bound(problem, spec), float32_error)


def name_index(index: tuple[int, ...], axes: tuple[str, ...]) -> str:
    """(1, 4, 17) with axes (batch, decoder position, feature) -> 'batch 1, decoder position 4, feature 17'."""
    if not index:
        return "the value"
    return ", ".join(f"{axis} {i}" for axis, i in zip(axes, index, strict=True))


def _contract(out: np.ndarray, expected_shape: tuple[int, ...], integer: bool = False) -> str | None:
    if type(out) is not np.ndarray:
        return f"expected a NumPy array, got {type(out).__name__}"
    if integer and out.dtype.kind not in "iu":
        return f"the output's dtype is {out.dtype}; return integers (int64 expected)"
    if out.dtype.kind not in "fiu":
        return f"the output's dtype is {out.dtype}; return real numbers (float32 expected)"
    if out.shape != expected_shape:
        if not expected_shape:
            return f"the output's shape is {out.shape}; expected a single number"
        return f"the output's shape is {out.shape}; expected {expected_shape} (no broadcasting)"
    with np.errstate(over="ignore", invalid="ignore"):  # a float128 1e4000 is finite, but not as a float64
        finite = np.isfinite(out.astype(np.float64))
    if out.size and not finite.all():
        bad = int(np.size(out) - np.count_nonzero(finite))
        return f"the output holds {bad} non-finite values (NaN or inf); an overflow in exp or a 0/0?"
    return None


def compare_exact(out: np.ndarray, expected: np.ndarray, axes: tuple[str, ...]) -> Comparison:
    """Integers compared exactly: the contract (an integer array of the exact shape), then equality."""
    problem = _contract(out, expected.shape, integer=True)
    if problem is not None:
        return Comparison(False, problem, None, None, int(expected.size), int(expected.size), 0.0, None)
    with np.errstate(over="ignore"):
        differ = out.astype(np.int64) != expected  # a uint64 past int64 wraps, and differs all the same
    mismatches = int(np.count_nonzero(differ))
    worst = None
    if mismatches:
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(differ)), differ.shape))  # the first
        worst = Worst(index, name_index(index, axes), float(expected[index]), float(out[index]))
    gap = np.abs(out.astype(np.float64) - expected.astype(np.float64))
    return Comparison(passed=mismatches == 0, contract_error=None, max_abs_error=float(gap.max(initial=0.0)),
                      max_rel_error=None, mismatches=mismatches, total=int(expected.size), tolerance=0.0, worst=worst)


def compare_outputs(out: np.ndarray, expected: np.ndarray, tolerance: float, axes: tuple[str, ...],
                    integer: bool = False) -> Comparison:
    """Check the contract (type, dtype, exact shape, finite), then the tolerance elementwise."""
    problem = _contract(out, expected.shape, integer)
    if problem is not None:
        return Comparison(False, problem, None, None, int(expected.size), int(expected.size), tolerance, None)
    got = out.astype(np.float64)  # in range: the contract checked it
    diff = np.abs(got - expected)
    rel = diff / np.maximum(np.abs(expected), np.finfo(np.float64).tiny)
    outside = diff > tolerance * (1.0 + np.abs(expected))
    mismatches = int(np.count_nonzero(outside))
    worst = None
    if diff.size:
        flat = int(np.argmax(diff))
        index = tuple(int(i) for i in np.unravel_index(flat, diff.shape))
        worst = Worst(index, name_index(index, axes), float(expected[index]), float(got[index]))
    return Comparison(
        passed=mismatches == 0,
        contract_error=None,
        max_abs_error=float(diff.max()) if diff.size else 0.0,
        max_rel_error=float(rel.max()) if diff.size else 0.0,
        mismatches=mismatches,
        total=int(expected.size),
        tolerance=tolerance,
        worst=worst,
    )
