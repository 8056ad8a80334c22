"""Typed results of a grading: verdicts, per-case results and the submission's result."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """The only verdicts the judge gives."""

    ACCEPTED = "Accepted"
    WRONG_ANSWER = "Wrong Answer"
    COMPILATION_ERROR = "Compilation Error"
    RUNTIME_ERROR = "Runtime Error"
    TIME_LIMIT_EXCEEDED = "Time Limit Exceeded"
    MEMORY_LIMIT_EXCEEDED = "Memory Limit Exceeded"
    INTERNAL_ERROR = "Internal Error"


@dataclass
class WorstAt:
    """The worst element of a Wrong Answer as data; the values only for public cases."""

    output: str  # the output's name
    index: list[int]  # its position in the output
    axes: list[str]  # what each index counts, e.g. ["batch", "decoder position", "feature"]
    expected: float | None = None  # public cases only
    got: float | None = None  # public cases only


@dataclass
class CaseResult:
    """How one case went. Hidden cases never carry values or seeds."""

    name: str
    public: bool
    verdict: Verdict
    message: str
    shapes: dict[str, list[int]]  # input shapes by argument name
    dims: dict[str, int]  # the case's sizes, e.g. {"N": 2, "T_dec": 3, ...}
    seed: int | None = None  # public cases only
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    mismatches: int | None = None  # elements outside the tolerance
    total: int | None = None  # elements in the output
    tolerance: float | None = None
    worst: str | None = None  # the worst element in problem terms (with values for public cases)
    worst_at: WorstAt | None = None  # the same element as data, for pages and tools
    seconds: float | None = None  # the call's wall time inside the sandbox

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseResult:
        """The case a JSON object describes: unknown keys are ignored, a missing or null one takes its default."""
        known = _known(cls, data, name="", public=False, message="", shapes={}, dims={})
        known["verdict"] = Verdict(data["verdict"])
        worst_at = known.get("worst_at")
        if isinstance(worst_at, Mapping):  # JSON nests it as an object
            known["worst_at"] = WorstAt(**_known(WorstAt, worst_at, output="", index=[], axes=[]))
        return cls(**known)


@dataclass
class GradeResult:
    """A submission's grading: the first non-Accepted case decides the verdict."""

    problem: str
    verdict: Verdict
    score: float  # points earned over points possible (the fraction of cases Accepted when no points are declared)
    cases: list[CaseResult]
    sandbox: str  # "bubblewrap" or "none"
    hint: str | None = None  # the likely mistake, in plain words
    mistake: str | None = None  # the mistake's id in the manifest; two joined by '+' when both are needed
    diagnosis: list[str] = field(default_factory=list)  # what was observed of a Wrong Answer no mistake explains
    traceback: str | None = None  # the submission's own frames only
    stdout: str = ""
    stderr: str = ""
    judge_seconds: float = 0.0  # wall time of the whole grading
    timing: dict[str, Any] | None = None  # speed comparison, when run
    details: list[str] = field(default_factory=list)  # extra notes (isolation warnings, ...)
    points: float = 0.0  # earned under the manifest's points (one per case unless declared)
    max_points: float = 0.0  # possible

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with verdicts as their strings, and no NaN or infinity anywhere.

        A non-finite number (an error measured against an infinite output, a
        child's NaN) becomes null: strict JSON has no such values, and a parser
        that meets one fails, the service's included.
        """
        finite = json_safe(asdict(self))
        assert isinstance(finite, dict)
        return finite

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GradeResult:
        """The result `to_dict`, or the service's answer for a done submission, describes.

        Unknown keys (the service's `id`, `owner`, a field added later) are
        ignored and a missing or null one takes its default, so that a client
        and a server of different versions still agree. A missing or unknown
        verdict raises KeyError or ValueError: without one there is no result.
        """
        known = _known(cls, data, problem="", score=0.0, cases=[], sandbox="unknown")
        known["verdict"] = Verdict(data["verdict"])
        known["cases"] = [CaseResult.from_dict(case) for case in known["cases"]]
        return cls(**known)


def _known(cls: type[Any], data: Mapping[str, Any], **fallback: Any) -> dict[str, Any]:
    """The fields of dataclass `cls` that `data` holds, over `fallback`; null counts as missing."""
    return {**fallback, **{f.name: data[f.name] for f in fields(cls) if data.get(f.name) is not None}}


def json_safe(value: Any) -> Any:
    """`value` with every non-finite float replaced by None, through dicts, lists and tuples."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def overall(cases: list[CaseResult]) -> tuple[Verdict, float]:
    """The first non-Accepted verdict in case order, and the fraction Accepted."""
    if not cases:
        return Verdict.INTERNAL_ERROR, 0.0
    accepted = sum(c.verdict is Verdict.ACCEPTED for c in cases)
    verdict = next((c.verdict for c in cases if c.verdict is not Verdict.ACCEPTED), Verdict.ACCEPTED)
    return verdict, accepted / len(cases)
