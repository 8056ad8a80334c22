"""What a case should produce: the float64 reference and the case's tolerance (trusted side)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from judge.cases import Case
from judge.compare import allowed_error
from judge.outputs import as_outputs
from judge.problem import Problem

SENSITIVITY_TRIALS = 3


@dataclass(frozen=True)
class Expected:
    """The reference outputs of a case and how far a correct float32 answer may stray from them."""

    outputs: tuple[np.ndarray, ...]  # one per declared output: float64 (or int64), from the NumPy reference
    tolerance: float  # see judge.compare
    float32_error: float  # the case's float32 error scale: see `float32_error_scale`

    @property
    def output(self) -> np.ndarray:
        """The first output (the only one, for most problems)."""
        return self.outputs[0]

    @property
    def nbytes(self) -> int:
        return sum(o.nbytes for o in self.outputs)


_CACHE: OrderedDict[tuple[str, ...], Expected] = OrderedDict()
_CACHE_SIZE = 256  # a few problems' worth of cases; a worker grades the same cases over and over


def expected_for(problem: Problem, case: Case) -> Expected:
    """The reference output and tolerance of a case, computed once per process and remembered."""
    # reference.py's module name carries a hash of the file: an edited reference or in_float32 is a new key
    key = (str(problem.folder), problem.code.reference_module, repr(problem.tolerance), repr(case.spec),
           str(case.seed))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    expected = _compute(problem, case)
    _CACHE[key] = expected
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return expected


def reply_bytes(problem: Problem, case: Case) -> int:
    """The most a correct reply to `case` can weigh: the expected outputs at 16 bytes an element, and slack."""
    return 2 * expected_for(problem, case).nbytes + 4096 * len(problem.outputs)


def _compute(problem: Problem, case: Case) -> Expected:
    """Run the reference (float64) on pristine copies of the inputs and derive the tolerance."""
    reference = problem.reference_function()
    outputs = as_outputs(problem, reference(**case.pristine_inputs()))
    error = float32_error_scale(problem, case, outputs)
    for output in outputs:
        output.setflags(write=False)  # shared through the cache: nobody may change it
    return Expected(tuple(outputs), allowed_error(problem, case.spec, error), error)


def _gap(problem: Problem, got: list[np.ndarray], outputs: list[np.ndarray]) -> float:
    """The largest difference over the outputs compared with a tolerance."""
    gaps = [float(np.abs(g.astype(np.float64) - o).max(initial=0.0))
            for spec, g, o in zip(problem.outputs, got, outputs, strict=True)
            if spec.compare != "exact" and g.shape == o.shape]
    return max(gaps, default=0.0)


def float32_error_scale(problem: Problem, case: Case, outputs: list[np.ndarray]) -> float:
    """How far float32 arithmetic can move this case's output, measured two ways.

    - the block computed in float32 (the folder's `in_float32`);
    - the float64 block on inputs nudged by one float32 rounding (relative eps),
      which measures how ill-conditioned the case is: on near-tied softmax scores or
      near-constant LayerNorm rows, correct float32 implementations that round in a
      different order disagree by about this much, far more than eps * sqrt(K).
    """
    if all(o.compare == "exact" or not out.size for o, out in zip(problem.outputs, outputs, strict=True)):
        return 0.0
    error = _gap(problem, as_outputs(problem, problem.in_float32(case.pristine_inputs())), outputs)
    reference = problem.reference_function()
    eps = float(np.finfo(np.float32).eps)
    rng = np.random.default_rng(case.seed)
    for _ in range(SENSITIVITY_TRIALS):
        nudged = {
            k: v.astype(np.float64) * (1.0 + eps * rng.uniform(-1.0, 1.0, v.shape))
            if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for k, v in case.pristine_inputs().items()
        }
        error = max(error, _gap(problem, as_outputs(problem, reference(**nudged)), outputs))
    return error

