"""Speed comparison of a submission with the Torch reference, built to resist gaming.

- Same device (CPU) and the same thread count for both sides: the child's BLAS
  and OpenMP pools are pinned through its environment, the reference's through
  `torch.set_num_threads` and threadpoolctl.
- The submission's time is measured by the judge, not by the child: the round
  trip of a `call` request that carries the inputs, minus the round trip of an
  `echo` request that moves the same number of bytes in and an output-sized array
  out. The echo carries the previous pair's inputs, never the coming ones, so
  nothing can be computed ahead of the timed call. Patching any clock inside the
  sandbox changes nothing measured here.
- Every timed call gets a freshly generated input set, and every timed output is
  re-checked against the reference's output on the same inputs, so memoising,
  returning stale outputs or deferring work gains nothing.
- Calls alternate submission/reference so that drift hits both; warm-up first;
  then pairs until there are `MIN_SAMPLES` and the standard error of both means
  is under 1%, or until the next pair would overrun the budget (then the result
  says `few_samples` if it got fewer than `MIN_SAMPLES`).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from judge.compare import allowed_error, compare_outputs
from judge.grader import call_request
from judge.problem import CaseSpec, Problem

if TYPE_CHECKING:
    from judge.grader import GradeOptions
    from judge.runner import Child

MIN_SAMPLES = 5
WARM_UP_PAIRS = 2
TARGET_RELATIVE_SE = 0.01
IMPLAUSIBLE_SPEEDUP = 10.0
_BOOTSTRAP = 2000


def timing_inputs(problem: Problem, dims: dict[str, int], rng: np.random.Generator) -> dict[str, Any]:
    """A fresh input set at `dims`: uniform float32 with unit variance, 4x faster to draw than normals."""
    inputs: dict[str, Any] = {}
    for arg in problem.arguments:
        shape = tuple(dims[d] for d in arg.shape)
        if arg.kind == "int":
            inputs[arg.name] = dims[arg.dim]
        elif arg.kind == "padding_mask":
            inputs[arg.name] = None
        else:
            # uniform on [-sqrt(3), sqrt(3)) has unit variance; weights are scaled by 1/sqrt(fan_in)
            scale = math.sqrt(3.0) / (math.sqrt(shape[0]) if arg.kind == "weight" else 1.0)
            inputs[arg.name] = (rng.random(shape, dtype=np.float32) - np.float32(0.5)) * np.float32(2 * scale)
    return inputs


@contextlib.contextmanager
def pinned_threads(threads: int) -> Iterator[None]:
    """Run the in-process Torch reference on exactly `threads` threads, then restore."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


def speedup_interval(ratios: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of the median of per-pair speedups (reference / submission)."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(ratios), size=(_BOOTSTRAP, len(ratios)))
    low, high = np.percentile(np.median(ratios[picks], axis=1), [2.5, 97.5])
    return float(low), float(high)


def _relative_se(samples: list[float]) -> float:
    values = np.asarray(samples)
    if len(values) < 2 or values.mean() <= 0:  # a call faster than its own transfer measures as 0
        return math.inf
    return float(values.std(ddof=1) / math.sqrt(len(values)) / values.mean())


def _timed_submission_call(child: Child, inputs: dict[str, Any], previous: dict[str, Any]) -> tuple[float, Any]:
    """Time a call on `inputs`, less the transfer cost measured by echoing `previous`; (seconds, reply)."""
    header, arrays = call_request(previous)
    start = time.perf_counter()
    echo = child.request({**header, "op": "echo"}, arrays)
    transfer = time.perf_counter() - start
    if echo.status != "ok":
        return math.nan, echo
    header, arrays = call_request(inputs)
    start = time.perf_counter()
    reply = child.request(header, arrays)
    round_trip = time.perf_counter() - start
    return max(round_trip - transfer, 0.0), reply


def time_against_reference(problem: Problem, child: Child, options: GradeOptions) -> dict[str, Any]:
    """Alternate timed calls of the submission (in its sandbox) and the Torch reference (here)."""
    dims = problem.benchmark_dims
    reference = problem.torch_function()
    spec = CaseSpec("benchmark", dims, 0)
    recheck_tolerance = 2.0 * allowed_error(problem, spec, 0.0)
    rng = np.random.default_rng()
    with pinned_threads(options.threads):
        reference(**timing_inputs(problem, problem.cases[0].dims, rng))  # Torch's one-off start-up, untimed
    previous = timing_inputs(problem, dims, rng)  # what the first echo carries
    started = time.perf_counter()
    deadline = started + options.timing_budget_s
    submission_s: list[float] = []
    reference_s: list[float] = []
    rechecked = 0
    with pinned_threads(options.threads):
        warm_up = WARM_UP_PAIRS
        shortest_pair = 0.0  # the warm-up pairs are the slow ones: judge the next pair by the fastest
        while time.perf_counter() + shortest_pair <= deadline:  # never start a pair that would overrun
            if not warm_up and len(submission_s) >= MIN_SAMPLES and (
                max(_relative_se(submission_s), _relative_se(reference_s)) <= TARGET_RELATIVE_SE
            ):
                break
            pair_start = time.perf_counter()
            inputs = timing_inputs(problem, dims, rng)
            seconds, reply = _timed_submission_call(child, inputs, previous)
            previous = inputs
            if reply.status != "ok" or len(reply.arrays) != 1:
                return {"skipped": f"a timed call failed: {reply.message or reply.status}"}
            start = time.perf_counter()
            expected = reference(**inputs)
            reference_seconds = time.perf_counter() - start
            check = compare_outputs(reply.arrays[0], expected.cpu().numpy().astype(np.float64),
                                    recheck_tolerance, problem.output_axes)
            rechecked += 1
            if not check.passed:
                return {"skipped": "a timed output did not match the reference on its fresh inputs "
                                   f"({check.message}); the speed is not reported",
                        "rejected": True}
            if warm_up:
                warm_up -= 1
            else:
                submission_s.append(seconds)
                reference_s.append(reference_seconds)
            pair = time.perf_counter() - pair_start
            shortest_pair = min(shortest_pair, pair) if shortest_pair else pair
    if not submission_s:
        return {"skipped": f"one call takes longer than the timing budget of {options.timing_budget_s:g} s allows"}
    sub, ref = np.asarray(submission_s), np.asarray(reference_s)
    # each pair ran back to back, so its ratio cancels drift that hits both; the median drops outliers
    ratios = ref / np.maximum(sub, 1e-9)
    speedup = float(np.median(ratios))
    low, high = speedup_interval(ratios)
    return {
        "device": "cpu",
        "threads": options.threads,
        "shape": dims,
        "submission_seconds": float(np.median(sub)),
        "reference_seconds": float(np.median(ref)),
        "speedup": speedup,
        "speedup_ci95": [low, high],
        "samples": len(sub),
        "rechecked_outputs": rechecked,
        "implausible": speedup > IMPLAUSIBLE_SPEEDUP,
        "few_samples": len(sub) < MIN_SAMPLES,  # the budget ran out first: a wide interval
        "spent_s": time.perf_counter() - started,  # never more than the budget plus one pair's overrun
        "note": "submission time measured by the judge around the sandbox call; the reference is "
                "reference.torch_blocks in float32 on the same device and threads",
    }
