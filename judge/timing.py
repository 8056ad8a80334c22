"""The speed comparison: the submission against the Torch reference, measured so that neither noise nor
the submission can move the figure.

It is a phase of its own, after the verdict (`grade()` never waits for it):

- **Like against like.** The reference runs in a sandbox of its own, started the
  same way as the submission's, with the same limits, thread count, cores and
  transport. Both are timed by the judge around the same request carrying the
  same fresh inputs, so nothing is subtracted and nothing the child answers
  enters the arithmetic: a submission can only make its own side slower. The
  arrays travel through a shared region per sandbox (`judge.shared`), copied in
  and out inside the clock, so transport is a few ms rather than half the figure.
- **Quiet.** The comparison holds the host's timing lane (`judge.lane`): one at
  a time, on cores that gradings are moved off. While one side is timed the
  other is frozen (its cgroup's freezer), so a background thread cannot steal
  the reference's core or memory bandwidth. Both sandboxes get the same CPU
  quota and cpuset, so a submission cannot use more cores than the reference.
- **Fresh inputs, checked outputs.** Every pair gets newly drawn inputs, and the
  submission's output is re-checked against the reference's on them, so
  memoising, stale outputs and deferred work gain nothing.
- **Honest statistics** (`judge.speed_stats`): a warm-up pair first, then at
  least `MIN_PAIRS` pairs, more until the interval is tight or the budget (a
  multiple of one pair's cost, up to the cap) is spent. A submission too slow
  for `MIN_PAIRS` pairs within the cap is told so; that is not a failure.
- **CUDA** when the problem's benchmark asks for it and the host has a GPU: both
  sandboxes see the NVIDIA device nodes, inputs arrive as CUDA tensors, TF32 is
  off, and the trusted sandbox flushes the GPU's L2 cache before every timed call.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import reference as reference_package
from judge.calls import call_request
from judge.cases import CaseError, acceptable_inputs, argument_value
from judge.compare import allowed_error
from judge.gpu import gpu_present
from judge.lane import LaneSlot, timing_lane
from judge.outputs import as_outputs, compare_all
from judge.problem import CaseSpec, Problem
from judge.runner import Child, Reply
from judge.sandbox import Extras, cgroup_tree
from judge.shared import SharedRegion
from judge.speed_stats import MIN_FOR_INTERVAL, Summary, describe, summarise

MIN_PAIRS = 5
MAX_PAIRS = 60
BUDGET_PAIRS = 30  # the budget is this many pairs' cost, between MIN_BUDGET_S and the cap
MIN_BUDGET_S = 2.0
TARGET_HALF_WIDTH = 0.02  # stop early once the 95% interval is within about +-2%
IMPLAUSIBLE_SPEEDUP = 10.0
TRUSTED_DIR = "/trusted"  # where the reference's package appears inside its own sandbox


@dataclass(frozen=True)
class TimingOptions:
    """Knobs of one comparison."""

    threads: int = 1  # threads (and reserved cores) for both sides
    cap_s: float = 20.0  # the most a comparison may measure for, warm-up included
    unsandboxed: bool = False


def timing_inputs(problem: Problem, dims: dict[str, int], rng: np.random.Generator) -> dict[str, Any]:
    """A fresh input set at `dims`: floats uniform with unit variance (4x faster to draw than normals).

    A problem whose cases come from its own generate() or must meet its
    condition() gets them drawn that way, so that every timed output can be checked.
    """
    spec = CaseSpec("benchmark", dims, 0)
    if problem.code.condition is not None or any(a.kind == "custom" for a in problem.arguments):
        return acceptable_inputs(problem, spec, rng)
    inputs: dict[str, Any] = {}
    for arg in problem.arguments:
        shape = tuple(dims[d] for d in arg.shape)
        if arg.kind in ("activation", "weight", "bias"):
            # uniform on [-sqrt(3), sqrt(3)) has unit variance; weights are scaled by 1/sqrt(fan_in)
            scale = math.sqrt(3.0) / (math.sqrt(shape[0]) if arg.kind == "weight" else 1.0)
            inputs[arg.name] = (rng.random(shape, dtype=np.float32) - np.float32(0.5)) * np.float32(2 * scale)
        else:  # masks are absent (or all False) at the benchmark: the unmasked cost is the one compared
            inputs[arg.name] = argument_value(rng, arg, spec)
    return inputs


def skipped(reason: str, **extra: Any) -> dict[str, Any]:
    """A comparison that did not give a figure, and why (not the submission's failure)."""
    return {"status": "skipped", "reason": reason, **extra}


def failed(reason: str, **extra: Any) -> dict[str, Any]:
    """A comparison the submission failed: a timed call crashed or gave a wrong output."""
    return {"status": "failed", "reason": reason, **extra}


def pending(reason: str = "the speed comparison runs after the verdict") -> dict[str, Any]:
    return {"status": "pending", "reason": reason}


def _reference_source(problem: Problem, unsandboxed: bool) -> tuple[str, tuple[tuple[Path, str], ...]]:
    """The code the trusted sandbox loads (a shim over the folder's Torch baseline), and what it needs bound.

    The shared `reference` package and the folder's `baseline.py` appear read-only
    under /trusted, in this sandbox only; unsandboxed, their real paths are used.
    """
    package = Path(reference_package.__file__ or "").parent
    baseline = problem.code.baseline_path
    binds = ((package, f"{TRUSTED_DIR}/{package.name}"), (baseline, f"{TRUSTED_DIR}/problem/{baseline.name}"))
    root, baseline_at = (str(package.parent), str(baseline)) if unsandboxed else (TRUSTED_DIR, binds[1][1])
    names = [a.name for a in problem.arguments]
    code = (f"import importlib.util, sys\nsys.path.insert(0, {root!r})\n"
            f"_spec = importlib.util.spec_from_file_location('_baseline', {baseline_at!r})\n"
            "_module = importlib.util.module_from_spec(_spec)\n"
            "_spec.loader.exec_module(_module)\n"
            f"_NAMES = {names!r}\n"
            f"def {problem.entry_point}(*args):\n"
            "    return _module.baseline(**dict(zip(_NAMES, args)))\n")
    return code, binds


def _device(problem: Problem) -> tuple[str, str]:
    """Where to time, and a note when the problem asked for CUDA and the host has none."""
    if problem.benchmark_device != "cuda":
        return "cpu", ""
    if gpu_present():
        return "cuda", ""
    return "cpu", "CUDA unavailable on this host (no NVIDIA GPU): timed on the CPU"


def _start(child: Child, code: str, entry_point: str) -> Reply:
    ready = child.wait_ready()
    if ready.status != "ready":
        return ready
    return child.request({"op": "load", "code": code, "entry_point": entry_point})


class _Pair:
    """The two sandboxes and how one timed call goes: the other side frozen, the judge's clock around it."""

    def __init__(self, submission: Child, reference: Child, device: str, timeout: float, outputs: int) -> None:
        self.submission, self.reference = submission, reference
        self.outputs = outputs  # values the entry point returns
        self.device, self.timeout = device, timeout
        self.froze_other = True
        self.reply_cap = 1 << 28

    def call(self, child: Child, inputs: dict[str, Any]) -> tuple[float, Reply]:
        other = self.reference if child is self.submission else self.submission
        if self.device == "cuda":
            self.reference.request({"op": "flush"}, timeout=self.timeout)
        self.froze_other &= other.pause()
        header, arrays = call_request(inputs, self.outputs)
        if self.device == "cuda":
            header["device"] = "cuda"
        cap = self.reply_cap if child is self.submission else 1 << 28
        try:
            start = time.perf_counter()
            reply = child.request_shared(header, arrays, timeout=self.timeout, max_reply_bytes=cap)
            return time.perf_counter() - start, reply
        finally:
            other.resume()


def _timed_pair(pair: _Pair, inputs: dict[str, Any], sub_first: bool,
                tolerance: float, problem: Problem) -> tuple[float, float] | dict[str, Any]:
    """(reference seconds, submission seconds), or the result that ends the comparison."""
    order = (pair.submission, pair.reference) if sub_first else (pair.reference, pair.submission)
    seconds: dict[int, float] = {}
    replies: dict[int, Reply] = {}
    for child in order:
        seconds[id(child)], replies[id(child)] = pair.call(child, inputs)
    ref, sub = replies[id(pair.reference)], replies[id(pair.submission)]
    if ref.status != "ok" or len(ref.arrays) != pair.outputs:
        return skipped(f"the Torch reference failed on the benchmark inputs: {ref.message or ref.status}")
    if sub.status == "timeout":
        return skipped(f"too slow to time (one call takes over {pair.timeout:.3g} s, the cap)")
    if sub.status != "ok" or len(sub.arrays) != pair.outputs:
        return failed(f"a timed call failed: {sub.message or sub.status}")
    pair.reply_cap = 2 * sum(a.nbytes for a in ref.arrays) + 4096 * pair.outputs
    expected = as_outputs(problem, ref.arrays[0] if pair.outputs == 1 else tuple(ref.arrays))
    _, check = compare_all(problem, sub.arrays, expected, tolerance, inputs)
    if not check.passed:
        return failed(f"a timed output did not match the reference on its fresh inputs ({check.message}); "
                      "the speed is not reported")
    return seconds[id(pair.reference)], seconds[id(pair.submission)]


def _recheck_tolerance(problem: Problem, dims: dict[str, int], inputs: dict[str, Any]) -> float:
    """How far a timed output may stray from the baseline's: twice the tolerance a case of this shape gets.

    The float32 error is measured on the first benchmark inputs (the folder's
    `in_float32` against the float64 reference): at a long positional table, say,
    it is far above eps * sqrt(depth), and every correct float32 answer would
    otherwise fail the recheck.
    """
    spec = CaseSpec("benchmark", dims, 0)
    if all(o.compare == "exact" for o in problem.outputs):
        return 0.0
    copy = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    exact = as_outputs(problem, problem.reference_function()(**copy))
    rounded = as_outputs(problem, problem.in_float32(copy))
    error = max((float(np.abs(r - e).max(initial=0.0)) for r, e, o in zip(rounded, exact, problem.outputs, strict=True)
                 if o.compare != "exact" and r.shape == e.shape), default=0.0)
    return 2.0 * allowed_error(problem, spec, error)


def _measure(problem: Problem, pair: _Pair, options: TimingOptions) -> dict[str, Any]:
    dims = problem.benchmark_dims
    rng = np.random.default_rng()
    started = time.perf_counter()
    try:
        first = timing_inputs(problem, dims, rng)
    except CaseError as exc:
        return skipped(f"no benchmark inputs: {exc}")
    tolerance = _recheck_tolerance(problem, dims, first)
    warm = _timed_pair(pair, first, False, tolerance, problem)  # untimed
    if isinstance(warm, dict):
        return warm
    one_pair = max(sum(warm), 1e-6)
    if one_pair * (MIN_PAIRS + 1) > options.cap_s:
        return skipped(f"too slow to time (one call takes {warm[1]:.3g} s, the cap of {options.cap_s:g} s "
                       f"allows no {MIN_PAIRS} pairs)", submission_seconds=warm[1])
    budget = min(options.cap_s, max(MIN_BUDGET_S, BUDGET_PAIRS * one_pair))
    reference_s: list[float] = []
    submission_s: list[float] = []
    summary: Summary | None = None
    while len(submission_s) < MAX_PAIRS:
        elapsed = time.perf_counter() - started
        enough = len(submission_s) >= MIN_PAIRS
        if enough and ((summary is not None and summary.relative_half_width <= TARGET_HALF_WIDTH)
                       or elapsed + one_pair > budget):
            break
        if elapsed + one_pair > options.cap_s:
            return skipped(f"too slow to time within the cap of {options.cap_s:g} s "
                           f"({len(submission_s)} of {MIN_PAIRS} pairs done)")
        try:
            fresh = timing_inputs(problem, dims, rng)
        except CaseError as exc:
            return skipped(f"no benchmark inputs: {exc}")
        timed = _timed_pair(pair, fresh, len(submission_s) % 2 == 1, tolerance, problem)
        if isinstance(timed, dict):
            return timed
        reference_s.append(timed[0])
        submission_s.append(timed[1])
        one_pair = min(one_pair, sum(timed))
        summary = summarise([r / max(s, 1e-9) for r, s in zip(reference_s, submission_s, strict=True)])
    assert summary is not None
    sub_median = float(np.median(submission_s))
    flops = problem.flops_at(dims)
    return {
        "status": "done",
        "device": pair.device,
        "threads": options.threads,
        "shape": dims,
        "submission_seconds": sub_median,
        "reference_seconds": float(np.median(reference_s)),
        "submission_gflops": flops / sub_median / 1e9 if flops is not None else None,
        "speedup": summary.speedup,
        "speedup_ci95": [summary.low, summary.high] if summary.samples >= MIN_FOR_INTERVAL else None,
        "indistinguishable": summary.indistinguishable,
        "summary": describe(summary),
        "samples": summary.samples,
        "rechecked_outputs": summary.samples + 1,
        "implausible": summary.speedup > IMPLAUSIBLE_SPEEDUP,
        "spent_s": time.perf_counter() - started,
        "others_frozen": pair.froze_other,
    }


def time_submission(problem: Problem, code: str, options: TimingOptions | None = None) -> dict[str, Any]:
    """Compare `code` with the Torch reference on the benchmark inputs; a `timing` dict with a `status`.

    Waits for the host's timing lane. Run it only for an Accepted submission.
    """
    options = options or TimingOptions()
    device, device_note = _device(problem)
    reference_code, binds = _reference_source(problem, options.unsandboxed)
    with timing_lane(options.threads, cgroup_tree()) as lane, _pinned_to(lane.cores):
        extras = Extras(gpu=device == "cuda", cpus=lane.cpus)
        trusted = Extras(binds=binds, gpu=extras.gpu, cpus=lane.cpus)
        try:
            sizes = _region_sizes(problem)
        except CaseError as exc:
            return {**skipped(f"no benchmark inputs: {exc}"), **_notes(lane, device_note)}
        with SharedRegion(*sizes) as submission_io, SharedRegion(*sizes) as reference_io, \
                Child(problem.limits, options.threads, options.unsandboxed, extras, submission_io) as submission, \
                Child(problem.limits, options.threads, options.unsandboxed, trusted, reference_io) as reference:
            loaded = _start(reference, reference_code, problem.entry_point)
            if loaded.status != "ok":
                return skipped(f"the Torch reference did not start: {loaded.message or loaded.status}")
            loaded = _start(submission, code, problem.entry_point)
            if loaded.status != "ok":
                return failed(f"the submission did not load again: {loaded.message or loaded.status}")
            pair = _Pair(submission, reference, device, options.cap_s / (MIN_PAIRS + 1), len(problem.outputs))
            result = _measure(problem, pair, options)
    return {**result, **_notes(lane, device_note)}


@contextlib.contextmanager
def _pinned_to(cores: list[int]) -> Iterator[None]:
    """Run the calling thread on the lane's cores, so that the copies in and out share the children's caches
    and the judge's own work never runs beside the gradings."""
    before = os.sched_getaffinity(0)
    if cores:
        os.sched_setaffinity(0, cores)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _region_sizes(problem: Problem) -> tuple[int, int]:
    """Bytes of the inputs at the benchmark shape, and room for an output of up to 16 bytes an element."""
    _, arrays = call_request(timing_inputs(problem, problem.benchmark_dims, np.random.default_rng(0)))
    inputs = sum(a.nbytes + 64 for a in arrays)
    elements = sum(math.prod(problem.benchmark_dims[d] for d in o.shape) for o in problem.outputs)
    return inputs, 16 * elements + 4096


def _notes(lane: LaneSlot, device_note: str) -> dict[str, Any]:
    notes = [lane.describe()]
    if device_note:
        notes.append(device_note)
    notes.append("both sides timed by the judge around the same request in identical sandboxes; "
                 "the reference is the problem's baseline (baseline.py)")
    return {"notes": notes}
