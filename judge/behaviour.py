"""Call a wrong submission again, on generated inputs, and say what its behaviour shows.

A Wrong Answer that no known mistake explains still deserves to know where it
goes wrong. The probes here run in the same sandbox, on inputs drawn afresh
from the distribution of the first case that failed (never a hidden case's
values), and every comparison happens in this trusted process:

- the same inputs twice: do the two outputs differ (dropout left on)?
- batch element 0's inputs changed alone: does element 1's output move?
- the last position of a causal argument changed alone: does an earlier output position move?
- positions permuted together where the answer may not care: does the output move?

The first two are also the detectors of the `nondeterministic` and
`batch-mixing` mistakes (a manifest mistake with `detect = "repeat"` or `"batch"`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from judge.calls import call_request
from judge.cases import Case, acceptable_inputs
from judge.expected import expected_for, reply_bytes
from judge.hints import WrongOutput
from judge.outputs import compare_all, largest_gap
from judge.problem import CaseSpec, Problem
from judge.runner import Child

_MIN_POSITIONS = 4  # a causal or permutation probe needs a few positions to move


def probe_budget_seconds(problem: Problem) -> float:
    """Wall time for every probe call together: one case's worth (the grading's watchdog allows for it)."""
    return problem.limits.case_wall_s


@dataclass
class Behaviour:
    """What the probes saw."""

    ran: bool = False  # the probe's first call came back
    observations: list[str] = field(default_factory=list)  # in words, the most telling first
    detected: set[str] = field(default_factory=set)  # detectors that fired: "repeat", "batch"
    wrong: WrongOutput | None = None  # the output on the probe's inputs, when it is wrong (for the diagnosis)


def probe_spec(problem: Problem, spec: CaseSpec) -> CaseSpec:
    """`spec` with room for every probe: a batch of two or more, and a few positions where probes move them."""
    dims = dict(spec.dims)
    if problem.coverage.batch:
        dims[problem.coverage.batch] = max(2, dims[problem.coverage.batch])
    for name in (*problem.probes.causal, *problem.probes.permutation):
        arg = next(a for a in problem.arguments if a.name == name)
        if len(arg.shape) > 1:
            dims[arg.shape[1]] = max(_MIN_POSITIONS, dims[arg.shape[1]])
    return replace(spec, name=f"probe of {spec.name}", public=False, dims=dims)


def probe_case(problem: Problem, spec: CaseSpec, secret: str) -> Case:
    """Fresh inputs for a probe of `spec`, from a seed of their own."""
    digest = hashlib.sha256(f"{secret}\x00probe\x00{spec.name}".encode()).digest()
    seed = int.from_bytes(digest[:8], "little")
    spec = probe_spec(problem, spec)
    return Case(spec=spec, seed=seed, inputs=acceptable_inputs(problem, spec, np.random.default_rng(seed)))


class _Caller:
    """Calls of the submission on the probe's inputs (and on changed copies of them)."""

    def __init__(self, problem: Problem, child: Child, case: Case) -> None:
        self.problem, self.child, self.case = problem, child, case
        self.max_bytes = reply_bytes(problem, case)
        self.deadline = time.monotonic() + probe_budget_seconds(problem)

    def __call__(self, inputs: dict[str, Any]) -> list[np.ndarray] | None:
        left = self.deadline - time.monotonic()
        if self.child.dead is not None or left <= 0:
            return None
        header, arrays = call_request(inputs, len(self.problem.outputs))
        reply = self.child.request(header, arrays, timeout=left, max_reply_bytes=self.max_bytes)
        if reply.status != "ok" or len(reply.arrays) != len(self.problem.outputs):
            return None
        return [np.asarray(a) for a in reply.arrays]


def _axis_words(problem: Problem, axis: int, plural: bool = False) -> str:
    axes = problem.outputs[0].axes
    word = axes[axis] if axis < len(axes) else f"index on axis {axis}"
    return f"{word}s" if plural else word


def _redrawn(value: np.ndarray, index: tuple[Any, ...], rng: np.random.Generator) -> np.ndarray:
    """`value` with the slice `index` drawn again from a normal distribution of the array's own spread."""
    changed = value.copy()
    part = changed[index]
    changed[index] = rng.standard_normal(part.shape) * (float(value.std()) or 1.0) + float(value.mean())
    return changed


def _moved(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    """Where two outputs differ by more than the tolerance (True where they moved)."""
    return np.abs(a.astype(np.float64) - b.astype(np.float64)) > tolerance


def _batch(problem: Problem, call: _Caller, base: list[np.ndarray], tolerance: float,
           rng: np.random.Generator) -> str | None:
    batch = problem.coverage.batch
    inputs = call.case.pristine_inputs()
    changed = False
    for arg in problem.arguments:
        value = inputs[arg.name]
        if not (arg.shape and arg.shape[0] == batch and isinstance(value, np.ndarray)):
            continue
        if value.dtype.kind == "f":
            inputs[arg.name] = _redrawn(value, (0,), rng)
            changed = True
        elif value.dtype == np.bool_ and value.shape[0] > 1:
            # a mask stays valid: element 0 takes element 1's pattern, or hides nothing if they are the same
            value = value.copy()
            value[0] = False if (value[0] == value[1]).all() else value[1]
            inputs[arg.name] = value
            changed = True
    after = call(inputs) if changed else None
    if after is None:
        return None
    for spec, first, second in zip(problem.outputs, base, after, strict=True):
        if spec.shape and spec.shape[0] == batch and first.shape == second.shape and first.shape[0] > 1:
            moved = _moved(first[1:], second[1:], tolerance)
            if moved.any():
                element = 1 + int(np.argwhere(moved)[0][0])
                return (f"batch element {element} changes when only batch element 0's inputs change: "
                        "each element of the batch must be computed on its own")
    return None


def _causal(problem: Problem, call: _Caller, base: list[np.ndarray], tolerance: float,
            rng: np.random.Generator) -> str | None:
    inputs = call.case.pristine_inputs()
    last = None
    for name in problem.probes.causal:
        value = inputs[name]
        last = value.shape[1] - 1
        inputs[name] = _redrawn(value, (slice(None), last), rng)
    after = call(inputs)
    if after is None or last is None or after[0].shape != base[0].shape:
        return None
    moved = _moved(base[0][:, :last], after[0][:, :last], tolerance)
    if not moved.any():
        return None
    earliest = int(np.argwhere(moved)[:, 1].min())
    word = _axis_words(problem, 1)
    return (f"{word} {earliest} changes when only {word} {last} of the input changes: "
            "a position may not see later ones (does the causal mask leak?)")


def _permutation(problem: Problem, call: _Caller, base: list[np.ndarray], tolerance: float,
                 rng: np.random.Generator) -> str | None:
    inputs = call.case.pristine_inputs()
    names = problem.probes.permutation
    order = rng.permutation(inputs[names[0]].shape[1])
    if (order == np.arange(order.size)).all():
        order = order[::-1].copy()
    for name in names:
        inputs[name] = inputs[name][:, order]
    after = call(inputs)
    if after is None or after[0].shape != base[0].shape or not _moved(base[0], after[0], tolerance).any():
        return None
    return (f"the output changes when the positions of {' and '.join(names)} are permuted together: "
            "attention over them may not depend on their order (a mask or a position where none belongs?)")


def _unreadable(problem: Problem, got: list[np.ndarray], expected: tuple[np.ndarray, ...]) -> str | None:
    """Why an output cannot be compared at all (a shape, a NaN), seen again on fresh inputs."""
    for spec, g, e in zip(problem.outputs, got, expected, strict=True):
        label = "the output" if len(problem.outputs) == 1 else f"output {spec.name!r}"
        if g.shape != e.shape:
            return f"on fresh inputs too, {label} has shape {list(g.shape)}; expected {list(e.shape)}"
        with np.errstate(all="ignore"):  # a float128 1e4000 is finite, but not once it is a float64
            finite = np.isfinite(g.astype(np.float64)) if g.dtype.kind == "f" else np.ones(g.shape, dtype=bool)
        if not finite.all():
            bad = int((~finite).sum())
            return (f"on fresh inputs too, {label} has {bad} non-finite value(s) (NaN or infinity) among {g.size}: "
                    "look for exp() of large scores without the maximum subtracted, a division by zero, or log(0)")
    return None


def observe(problem: Problem, child: Child, spec: CaseSpec, secret: str) -> Behaviour:
    """Run the probes on fresh inputs drawn like `spec` (the first failing case) and report what they saw."""
    case = probe_case(problem, spec, secret)
    call = _Caller(problem, child, case)
    behaviour = Behaviour()
    first = call(case.inputs)
    if first is None:
        return behaviour
    behaviour.ran = True
    expected = expected_for(problem, case)
    unreadable = _unreadable(problem, first, expected.outputs)
    if unreadable:
        behaviour.observations.append(unreadable)
        return behaviour
    second = call(case.inputs)
    if second is None:
        return behaviour
    tolerance = expected.tolerance
    gap = largest_gap(first, second)
    if gap > tolerance:
        behaviour.detected.add("repeat")
        behaviour.observations.append(f"two calls on the same inputs differ (by up to {gap:.3g}): "
                                      "is dropout or other randomness left on?")
        return behaviour  # every other probe would only see the noise
    if not compare_all(problem, first, expected.outputs, tolerance, case.pristine_inputs())[1].passed:
        # (element 0 right and the others wrong is no proof of batch mixing: an inverted mask that hides
        # nothing from an unpadded element 0 looks the same; judge.diagnosis.locate reports it as a fact)
        behaviour.wrong = WrongOutput(case, first, expected.outputs, tolerance)
    rng = np.random.default_rng(case.seed + 1)
    if problem.coverage.batch:
        seen = _batch(problem, call, first, tolerance, rng)
        if seen:
            behaviour.detected.add("batch")
            behaviour.observations.append(seen)
    if problem.probes.causal:
        seen = _causal(problem, call, first, tolerance, rng)
        if seen:
            behaviour.observations.append(seen)
    if problem.probes.permutation:
        seen = _permutation(problem, call, first, tolerance, rng)
        if seen:
            behaviour.observations.append(seen)
    return behaviour
