"""The grader: cases in, verdicts out. Orchestrates runner, comparison and hints.

Everything here runs in the trusted judge process: the cases, the reference
outputs and the comparison never enter the sandbox. `grade()` is the one entry
point that the CLI and the service both call.
"""

from __future__ import annotations

import builtins
import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from judge.behaviour import Behaviour, observe, probe_budget_seconds
from judge.calls import call_request
from judge.cases import Case, CaseError, make_cases
from judge.diagnosis import diagnose
from judge.expected import expected_for, reply_bytes
from judge.hints import WrongOutput, likely_mistake
from judge.outputs import compare_all, named
from judge.problem import CaseSpec, Problem
from judge.runner import Child, Reply
from judge.sandbox import isolation as sandbox_isolation
from judge.scoring import points, possible
from judge.verdicts import CaseResult, GradeResult, Verdict, WorstAt, overall

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
    timing: bool = True  # an Accepted result's timing is "pending" (the caller runs judge.timing next)
    threads: int = 1  # BLAS/OpenMP threads for the submission
    unsandboxed: bool = False  # run without bubblewrap: only when an operator asked for it


WATCHDOG_MARGIN_S = 10.0  # over the sum of every step's own deadline
_START_AND_LOAD_S = 60.0  # the sandbox's start and the submission's import (judge.runner's deadlines)


def watchdog_seconds(problem: Problem) -> float:
    """The longest a grading of `problem` may run: every step's own deadline added up, plus a margin.

    Each request already carries its own deadline; this bounds the whole, so that
    no grading outlives it whatever goes wrong (the service's dispatcher uses it too).
    """
    cases = len(problem.cases) * problem.limits.case_wall_s
    return _START_AND_LOAD_S + cases + probe_budget_seconds(problem) + WATCHDOG_MARGIN_S


def reply_verdict(reply: Reply) -> tuple[Verdict, str]:
    """The verdict of a reply that did not deliver an array, and the reason in words."""
    if reply.status == "error":
        return _ERROR_VERDICTS.get(reply.kind, Verdict.RUNTIME_ERROR), reply.message
    if reply.status == "timeout":
        return Verdict.TIME_LIMIT_EXCEEDED, reply.message
    if reply.status == "crash":
        if reply.kind == "cpu":
            return Verdict.TIME_LIMIT_EXCEEDED, reply.message
        if reply.kind == "memory":
            return Verdict.MEMORY_LIMIT_EXCEEDED, reply.message
        return Verdict.RUNTIME_ERROR, reply.message
    if reply.status == "transport":
        return Verdict.RUNTIME_ERROR, reply.message
    return Verdict.RUNTIME_ERROR, f"unexpected reply from the sandbox ({reply.status})"


def _shapes(case: Case) -> dict[str, list[int]]:
    shapes = {k: list(v.shape) for k, v in case.inputs.items() if isinstance(v, np.ndarray)}
    shapes.update({k: [len(v)] for k, v in case.inputs.items() if isinstance(v, list)})  # token lists: how many
    return shapes


def _base(case: Case, verdict: Verdict, message: str) -> CaseResult:
    public = case.spec.public
    return CaseResult(name=case.name, public=public, verdict=verdict, message=message,
                      shapes=_shapes(case), dims=dict(case.spec.dims), seed=case.seed if public else None)


def _valid_seconds(value: Any) -> float | None:
    """A duration the child reported, if it is a plausible one (it is never trusted for timing)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value < 1e6:
        return float(value)
    return None


def _is_builtin_exception(name: Any) -> bool:
    return isinstance(name, str) and isinstance(getattr(builtins, name, None), type) and issubclass(
        getattr(builtins, name), BaseException)


def withheld_message(reply: Reply, code: str) -> str:
    """A hidden case's error, in words the judge composes itself: the child's own text may carry the inputs.

    Kept: the exception's type when it is a built-in one, and the line of the
    submission it came from, quoted from the judge's own copy of the code.
    """
    kind = reply.header.get("exception")
    what = kind if _is_builtin_exception(kind) else "an exception"
    if reply.kind == "exit":
        what = "sys.exit()"
    elif reply.kind == "contract":
        what = "a return value that is not a plain array of numbers"
    elif reply.kind == "memory":
        what = "MemoryError"
    where = ""
    line = reply.header.get("line")
    lines = code.splitlines()
    if type(line) is int and 1 <= line <= len(lines):
        where = f" at line {line} ({lines[line - 1].strip()[:120]})"
    return f"{what}{where}; the details are withheld because this is a hidden case"


def _only_non_finite(got: list[np.ndarray], expected: tuple[np.ndarray, ...]) -> bool:
    """An output that breaks the contract only by NaN or infinity (a known mistake may still explain it)."""
    # float128 is left out: its infinities may not even survive the cast to float64 that matching needs
    kinds = all(g.shape == e.shape and g.dtype.kind in ("iu" if e.dtype.kind in "iu" else "fiu")
                and g.dtype.itemsize <= 8 for g, e in zip(got, expected, strict=True))
    with np.errstate(all="ignore"):
        return kinds and any(g.dtype.kind == "f" and not np.isfinite(g.astype(np.float64)).all() for g in got)


def _judge_case(problem: Problem, case: Case, reply: Reply, wrongs: list[WrongOutput], code: str) -> CaseResult:
    if reply.status != "ok":
        verdict, message = reply_verdict(reply)
        if reply.status == "error" and not case.spec.public:
            message = withheld_message(reply, code)
        return _base(case, verdict, message)
    if len(reply.arrays) != len(problem.outputs):
        return _base(case, Verdict.RUNTIME_ERROR,
                     "the sandbox's reply did not carry exactly "
                     + ("one array" if len(problem.outputs) == 1 else f"{len(problem.outputs)} arrays"))
    expected = expected_for(problem, case)
    which, comparison = compare_all(problem, reply.arrays, expected.outputs, expected.tolerance,
                                    case.pristine_inputs())
    verdict = Verdict.ACCEPTED if comparison.passed else Verdict.WRONG_ANSWER
    result = _base(case, verdict, comparison.message if comparison.passed else named(problem, which,
                                                                                        comparison.message))
    result.max_abs_error, result.max_rel_error = comparison.max_abs_error, comparison.max_rel_error
    result.mismatches, result.total = comparison.mismatches, comparison.total
    result.tolerance = comparison.tolerance
    result.seconds = _valid_seconds(reply.header.get("seconds"))
    if comparison.worst is not None and not comparison.passed:
        worst = comparison.worst
        result.worst = named(problem, which, worst.named)
        output = problem.outputs[which]
        result.worst_at = WorstAt(output.name, [int(i) for i in worst.index], list(output.axes))
        if case.spec.public:  # values only for public cases
            result.worst_at.expected, result.worst_at.got = worst.expected, worst.got
            result.worst += f": expected {worst.expected:.6g}, got {worst.got:.6g}"
            result.message += f" (expected {worst.expected:.6g}, got {worst.got:.6g})"
    readable = comparison.contract_error is None or _only_non_finite(reply.arrays, expected.outputs)
    if not comparison.passed and readable:
        wrongs.append(WrongOutput(case, list(reply.arrays), expected.outputs, expected.tolerance))
    return result


def _run_cases(problem: Problem, code: str, cases: list[Case],
               child: Child) -> tuple[list[CaseResult], list[WrongOutput], str | None]:
    """Every case through one child. Public cases run first, so that nothing the child says before its
    first hidden input can carry one; from then on its output is withheld. Results keep the manifest's order."""
    ready = child.wait_ready()
    if ready.status != "ready":
        raise RuntimeError(f"the sandbox did not start: {ready.message or ready.status}; "
                           f"stderr: {child.stderr.strip()[-500:]}")
    loaded = child.request({"op": "load", "code": code, "entry_point": problem.entry_point})
    if loaded.status != "ok":
        verdict, message = reply_verdict(loaded)
        return [_base(c, verdict, message) for c in cases], [], loaded.traceback or None
    results: dict[str, CaseResult] = {}
    wrongs: list[WrongOutput] = []
    traceback = None
    ended_in = ""  # the case in which the sandbox died, if it did
    for case in sorted(cases, key=lambda c: not c.spec.public):
        if child.dead is not None:
            verdict, _ = reply_verdict(child.dead)
            results[case.name] = _base(case, verdict, f"not run: the sandbox ended in case {ended_in!r}")
            continue
        if not case.spec.public:
            child.withhold_output()
        header, arrays = call_request(case.inputs, len(problem.outputs))
        reply = child.request(header, arrays, max_reply_bytes=reply_bytes(problem, case))
        results[case.name] = _judge_case(problem, case, reply, wrongs, code)
        if case.spec.public:
            traceback = traceback or reply.traceback or None
        ended_in = case.name
    return [results[c.name] for c in cases], wrongs, traceback


def _probe(problem: Problem, child: Child, spec: CaseSpec, secret: str) -> Behaviour:
    """The probes' findings; a probe that fails is logged and says nothing (the verdicts are already fixed)."""
    try:
        return observe(problem, child, spec, secret)
    except Exception:
        log.exception("the probes of a wrong answer to %s failed", problem.slug)
        return Behaviour()


def _first_wrong(cases: list[Case], results: list[CaseResult]) -> CaseSpec:
    """The spec of the first Wrong Answer, which the probes draw fresh inputs like."""
    return next(c.spec for c, r in zip(cases, results, strict=True) if r.verdict is Verdict.WRONG_ANSWER)


class _Watchdog:
    """Kills the child if the grading outlives `seconds`; the cases it cut short become Time Limit Exceeded."""

    def __init__(self, child: Child, seconds: float) -> None:
        self.seconds = seconds
        self.fired = threading.Event()
        self._child = child
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired.set()
        self._child.kill()

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def verdicts(self, results: list[CaseResult]) -> list[CaseResult]:
        if not self.fired.is_set():
            return results
        message = f"the grading ran past its watchdog of {self.seconds:g} s and was stopped"
        for result in results:
            if result.verdict is not Verdict.ACCEPTED:
                result.verdict, result.message = Verdict.TIME_LIMIT_EXCEEDED, message
        return results


def grade(problem: Problem, code: str, options: GradeOptions | None = None) -> GradeResult:
    """Grade one submission's source code against every case of `problem`."""
    options = options or GradeOptions()
    started = time.perf_counter()
    isolation = sandbox_isolation(options.unsandboxed)
    notes = isolation.notes()
    try:
        cases = make_cases(problem, options.secret)
    except CaseError as exc:  # the problem's own generator failed: the judge's fault, not the submission's
        log.error("cannot generate the cases of %s: %s", problem.slug, exc)
        return GradeResult(problem.slug, Verdict.INTERNAL_ERROR, 0.0, [], isolation.level,
                           details=[*notes, f"internal error: the problem's cases cannot be generated: {exc}"],
                           judge_seconds=time.perf_counter() - started,
                           max_points=possible(problem.scoring, len(problem.cases)))
    try:
        with Child(problem.limits, threads=options.threads, unsandboxed=options.unsandboxed) as child, \
                _Watchdog(child, watchdog_seconds(problem)) as watchdog:
            results, wrongs, traceback = _run_cases(problem, code, cases, child)
            results = watchdog.verdicts(results)  # decided before any probe: a probe never changes a verdict
            verdict, _ = overall(results)
            earned, most = points(problem.scoring, {r.name: r.verdict is Verdict.ACCEPTED for r in results})
            behaviour = _probe(problem, child, _first_wrong(cases, results), options.secret) \
                if verdict is Verdict.WRONG_ANSWER else Behaviour()
        stdout, stderr = child.stdout, child.stderr
    except Exception as exc:
        log.exception("internal error while grading %s", problem.slug)
        failed = [_base(c, Verdict.INTERNAL_ERROR, f"the judge failed: {exc}") for c in cases]
        return GradeResult(problem.slug, Verdict.INTERNAL_ERROR, 0.0, failed, isolation.level,
                           details=[*notes, f"internal error: {type(exc).__name__}: {exc}"],
                           judge_seconds=time.perf_counter() - started,
                           max_points=possible(problem.scoring, len(problem.cases)))
    mistake = likely_mistake(problem, wrongs, behaviour.detected) if verdict is Verdict.WRONG_ANSWER else None
    return GradeResult(
        problem=problem.slug,
        verdict=verdict,
        score=earned / most if most > 0 else 0.0,
        cases=results,
        sandbox=isolation.level,
        hint=mistake.hint if mistake else None,
        mistake=mistake.id if mistake else None,
        diagnosis=diagnose(problem, results, behaviour) if verdict is Verdict.WRONG_ANSWER and not mistake else [],
        traceback=traceback,
        stdout=stdout,
        stderr=stderr,
        judge_seconds=time.perf_counter() - started,
        timing=_timing_state(verdict, options),
        details=notes,
        points=earned,
        max_points=most,
    )


def _timing_state(verdict: Verdict, options: GradeOptions) -> dict[str, Any]:
    """What the result says of the speed comparison, which is a phase of its own after the verdict."""
    if verdict is not Verdict.ACCEPTED:
        return {"status": "skipped", "reason": "only an Accepted submission is timed"}
    if not options.timing:
        return {"status": "skipped", "reason": "timing is off for this grading"}
    return {"status": "pending", "reason": "the speed comparison runs after the verdict"}
