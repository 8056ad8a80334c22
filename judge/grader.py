"""The grader: cases in, verdicts out. Orchestrates runner, comparison and hints.

Everything here runs in the trusted judge process: the cases, the reference
outputs and the comparison never enter the sandbox. `grade()` is the one entry
point that the CLI and the service both call.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from judge.cases import Case, make_cases
from judge.compare import compare_outputs
from judge.expected import expected_for
from judge.hints import WrongOutput, likely_mistake
from judge.problem import Problem
from judge.runner import Child, Reply
from judge.sandbox import detect_isolation
from judge.verdicts import CaseResult, GradeResult, Verdict, overall

log = logging.getLogger(__name__)

_ERROR_VERDICTS = {
    "compile": Verdict.COMPILATION_ERROR,
    "exception": Verdict.RUNTIME_ERROR,
    "exit": Verdict.RUNTIME_ERROR,
    "memory": Verdict.MEMORY_LIMIT_EXCEEDED,
    "contract": Verdict.WRONG_ANSWER,
}


@dataclass(frozen=True)
class GradeOptions:
    """Knobs of one grading."""

    secret: str = field(default_factory=lambda: secrets.token_hex(16))  # mixes hidden cases' seeds
    timing: bool = True  # run the speed comparison after the cases pass
    threads: int = 1  # BLAS/OpenMP threads for the submission (and the Torch reference)
    slot: int = 0  # which sandbox uid to use when several gradings run at once
    timing_budget_s: float = 1.0  # wall time the speed comparison may add


def call_request(inputs: dict[str, Any]) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Inputs as a call request: arrays travel as .npy frames, the rest in the header."""
    slots: list[dict[str, Any]] = []
    arrays: list[np.ndarray] = []
    for value in inputs.values():
        if isinstance(value, np.ndarray):
            slots.append({"kind": "array"})
            arrays.append(value)
        elif value is None:
            slots.append({"kind": "none"})
        else:
            slots.append({"kind": "int", "value": int(value)})
    return {"op": "call", "args": slots}, arrays


def reply_verdict(reply: Reply) -> tuple[Verdict, str]:
    """The verdict of a reply that did not deliver an array, and the reason in words."""
    if reply.status == "error":
        return _ERROR_VERDICTS.get(reply.kind, Verdict.RUNTIME_ERROR), reply.message
    if reply.status == "timeout":
        return Verdict.TIME_LIMIT_EXCEEDED, reply.message
    if reply.status == "crash":
        if reply.kind == "cpu":
            return Verdict.TIME_LIMIT_EXCEEDED, reply.message
        return Verdict.RUNTIME_ERROR, reply.message
    if reply.status == "transport":
        return Verdict.RUNTIME_ERROR, reply.message
    return Verdict.RUNTIME_ERROR, f"unexpected reply from the sandbox ({reply.status})"


def _shapes(case: Case) -> dict[str, list[int]]:
    return {k: list(v.shape) for k, v in case.inputs.items() if isinstance(v, np.ndarray)}


def _base(case: Case, verdict: Verdict, message: str) -> CaseResult:
    public = case.spec.public
    return CaseResult(name=case.name, public=public, verdict=verdict, message=message,
                      shapes=_shapes(case), dims=dict(case.spec.dims), seed=case.seed if public else None)


def _judge_case(problem: Problem, case: Case, reply: Reply, wrongs: list[WrongOutput]) -> CaseResult:
    if reply.status != "ok":
        verdict, message = reply_verdict(reply)
        return _base(case, verdict, message)
    if len(reply.arrays) != 1:
        return _base(case, Verdict.RUNTIME_ERROR, "the sandbox's reply did not carry exactly one array")
    expected = expected_for(problem, case)
    comparison = compare_outputs(reply.arrays[0], expected.output, expected.tolerance, problem.output_axes)
    verdict = Verdict.ACCEPTED if comparison.passed else Verdict.WRONG_ANSWER
    result = _base(case, verdict, comparison.message)
    result.max_abs_error, result.max_rel_error = comparison.max_abs_error, comparison.max_rel_error
    result.mismatches, result.total = comparison.mismatches, comparison.total
    result.tolerance = comparison.tolerance
    seconds = reply.header.get("seconds")
    result.seconds = float(seconds) if isinstance(seconds, int | float) else None
    if comparison.worst is not None and not comparison.passed:
        worst = comparison.worst
        result.worst = worst.named
        if case.spec.public:  # values only for public cases
            result.worst += f": expected {worst.expected:.6g}, got {worst.got:.6g}"
            result.message += f" (expected {worst.expected:.6g}, got {worst.got:.6g})"
    if not comparison.passed and comparison.contract_error is None:
        wrongs.append(WrongOutput(case, reply.arrays[0].astype(np.float64), expected.output, expected.tolerance))
    return result


def _run_cases(problem: Problem, code: str, cases: list[Case],
               child: Child) -> tuple[list[CaseResult], list[WrongOutput], str | None]:
    ready = child.wait_ready()
    if ready.status != "ready":
        raise RuntimeError(f"the sandbox did not start: {ready.message or ready.status}; stderr: {child.stderr}")
    loaded = child.request({"op": "load", "code": code, "entry_point": problem.entry_point})
    if loaded.status != "ok":
        verdict, message = reply_verdict(loaded)
        return [_base(c, verdict, message) for c in cases], [], loaded.traceback or None
    results: list[CaseResult] = []
    wrongs: list[WrongOutput] = []
    traceback = None
    ended_in = ""  # the case in which the sandbox died, if it did
    for case in cases:
        if child.dead is not None:
            verdict, _ = reply_verdict(child.dead)
            results.append(_base(case, verdict, f"not run: the sandbox ended in case {ended_in!r}"))
            continue
        header, arrays = call_request(case.inputs)
        reply = child.request(header, arrays)
        results.append(_judge_case(problem, case, reply, wrongs))
        traceback = traceback or reply.traceback or None
        ended_in = case.name
    return results, wrongs, traceback


def grade(problem: Problem, code: str, options: GradeOptions | None = None) -> GradeResult:
    """Grade one submission's source code against every case of `problem`."""
    options = options or GradeOptions()
    started = time.perf_counter()
    isolation = detect_isolation()
    notes = [] if isolation.level == "bubblewrap" else [f"NOT SANDBOXED: {isolation.reason}"]
    cases = make_cases(problem, options.secret)
    try:
        with Child(problem.limits, threads=options.threads, slot=options.slot) as child:
            results, wrongs, traceback = _run_cases(problem, code, cases, child)
            timing = None
            verdict, score = overall(results)
            if verdict is Verdict.ACCEPTED and options.timing:
                timing = _time_submission(problem, child, options)
        stdout, stderr = child.stdout, child.stderr
    except Exception as exc:
        log.exception("internal error while grading %s", problem.slug)
        failed = [_base(c, Verdict.INTERNAL_ERROR, f"the judge failed: {exc}") for c in cases]
        return GradeResult(problem.slug, Verdict.INTERNAL_ERROR, 0.0, failed, isolation.level,
                           details=[*notes, f"internal error: {type(exc).__name__}: {exc}"],
                           judge_seconds=time.perf_counter() - started)
    mistake = likely_mistake(problem, wrongs) if verdict is Verdict.WRONG_ANSWER else None
    return GradeResult(
        problem=problem.slug,
        verdict=verdict,
        score=score,
        cases=results,
        sandbox=isolation.level,
        hint=mistake.hint if mistake else None,
        mistake=mistake.id if mistake else None,
        traceback=traceback,
        stdout=stdout,
        stderr=stderr,
        judge_seconds=time.perf_counter() - started,
        timing=timing,
        details=notes,
    )


def _time_submission(problem: Problem, child: Child, options: GradeOptions) -> dict[str, Any] | None:
    """The speed comparison; see judge.timing."""
    from judge.timing import time_against_reference

    return time_against_reference(problem, child, options)
