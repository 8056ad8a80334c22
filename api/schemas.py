"""The HTTP schemas: pydantic at the boundary only (the core speaks dataclasses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from judge.verdicts import Verdict

Status = Literal["queued", "running", "done"]
VerdictName = Verdict  # the core's own enum: the schema lists exactly the verdicts the judge gives


class ErrorBody(BaseModel):
    """Every error answer: a sentence, or (422 from request validation) a list of field errors."""

    detail: str | list[dict[str, Any]] = Field(description="What went wrong.")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field("ok", description="'degraded' while the sandbox probe fails.")
    queue_depth: int = Field(description="Submissions queued or running.")
    queued: int = Field(description="Submissions waiting for a worker.")
    running: int = Field(description="Submissions being graded.")
    workers: int = Field(description="Grading worker processes configured.")
    workers_ready: int = Field(description="Workers warmed up and alive.")
    sandbox: Literal["bubblewrap", "none"] = Field(
        description="'none' only when an operator set JUDGE_UNSANDBOXED=true.")
    sandbox_reason: str = Field(description="The isolation in words.")
    probe: str = Field(description="The last probe of the real launch path, in one line: what works or what fails.")
    probe_age_s: float = Field(description="Seconds since that probe.")
    limits: str = Field(description="Which limits hold for a sandbox as a whole, and how.")
    limits_per_sandbox: bool = Field(description="False when memory, processes and CPU are only per-process "
                                                 "rlimits (no cgroup rights here).")
    accepting: bool = Field(description="False when POST /submissions answers 503: the last probe failed.")


class ProblemSummary(BaseModel):
    slug: str = Field(description="The problem's id, used in submissions.", examples=["cross-attention"])
    title: str
    summary: str = Field(description="One sentence.")


class ProblemFolder(BaseModel):
    """A problem folder as the server sees it (admins only)."""

    slug: str = Field(description="The folder's name.")
    folder: str = Field(description="Where it is on the server.")
    status: str = Field(description="'served'; or, never seen by students, 'broken', 'unchecked', 'checking' or "
                                    "'failed'.", examples=["served"])
    reason: str | None = Field(None, description="For a folder that is not served: why.")


class SampleCase(BaseModel):
    name: str
    seed: int = Field(description="The seed its inputs are generated from.")
    dims: dict[str, int] = Field(description="Its sizes, e.g. {'N': 2, 'T_dec': 3, 'd': 8}.")
    shapes: dict[str, list[int] | None] = Field(
        description="Each argument's shape (null for an optional argument passed as None; [] for an int).")


class ProblemDetail(ProblemSummary):
    statement: str = Field(description="The statement, in Markdown.")
    signature: str = Field(description="The entry point to define.", examples=["def cross_attention(...):"])
    starter: str = Field(description="Starter code to fill in.")
    samples: list[SampleCase] = Field(description="The public cases; hidden cases are graded too but not shown.")


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str = Field(description="A problem slug.", examples=["cross-attention"])
    code: str = Field(description="Python source defining the entry point; UTF-8, no NUL bytes, at most "
                                  "JUDGE_MAX_CODE_BYTES bytes.")
    timing: bool = Field(True, description="Time the submission against the Torch reference once it passes.")


class Queued(BaseModel):
    id: str = Field(description="The submission's id: GET /submissions/{id} for its result.")
    status: Status


class WorstOut(BaseModel):
    """The worst element of a Wrong Answer as data."""

    output: str = Field(description="The output's name.", examples=["out"])
    index: list[int] = Field(description="Its position in the output.", examples=[[1, 4, 17]])
    axes: list[str] = Field(description="What each index counts.", examples=[["batch", "decoder position", "feature"]])
    expected: float | None = Field(None, description="The reference's value; public cases only.")
    got: float | None = Field(None, description="The submission's value; public cases only.")


class CaseOut(BaseModel):
    """How one case went. Hidden cases never carry values or seeds."""

    name: str
    public: bool
    verdict: VerdictName
    message: str
    shapes: dict[str, list[int]] = Field(description="Input shapes by argument name.")
    dims: dict[str, int]
    seed: int | None = Field(None, description="Public cases only.")
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    mismatches: int | None = Field(None, description="Output elements outside the tolerance.")
    total: int | None = Field(None, description="Output elements.")
    tolerance: float | None = None
    worst: str | None = Field(None, description="The worst element, in problem terms.")
    worst_at: WorstOut | None = Field(None, description="The same element as data.")
    seconds: float | None = Field(None, description="The call's wall time inside the sandbox.")


class SubmissionSummary(BaseModel):
    id: str
    problem: str
    owner: str = Field(description="The account that submitted it.")
    status: Status
    verdict: VerdictName | None = Field(None, description="Set once status is 'done'.")
    score: float | None = Field(None, description="Points earned over points possible, once done (the fraction of "
                                                  "cases Accepted unless the problem declares points).")
    attempts: int = Field(description="Gradings started (an Internal Error is retried up to JUDGE_MAX_ATTEMPTS).")
    created_at: datetime
    finished_at: datetime | None = None


class SubmissionOut(SubmissionSummary):
    code: str | None = Field(None, description="The submitted code (only its owner and admins can read a submission).")
    cases: list[CaseOut] = Field(default_factory=list, description="One entry per case, in order.")
    points: float | None = Field(None, description="Points earned under the problem's scoring (its statement "
                                                   "explains it).")
    max_points: float | None = Field(None, description="Points possible.")
    hint: str | None = Field(None, description="The likely mistake behind a Wrong Answer, in plain words.")
    mistake: str | None = Field(
        None, description="That mistake's id from the problem's catalogue; two ids joined by '+' when the output is "
        "explained only by both together (e.g. 'pre-ln+relu').", examples=["layer-norm-eps", "pre-ln+relu"])
    diagnosis: list[str] = Field(
        default_factory=list, description="What was observed of a Wrong Answer that no known mistake explains, the "
        "most telling first: from calling the submission again on freshly generated inputs (never a hidden case's).",
        examples=[["decoder position 0 changes when only decoder position 4 of the input changes: a position may not "
                   "see later ones (does the causal mask leak?)"]])
    timing: dict[str, Any] | None = Field(
        None,
        description="The speed comparison with the Torch reference, a phase after the verdict: `status` is "
        "`pending` (with a `reason`, e.g. deferred while the queue is deep), `running`, `done` (with `speedup`, "
        "`speedup_ci95`, `summary`, `samples`, ...), `failed` (a timed output did not match) or `skipped` "
        "(with the `reason`). GET it again to see it change; the verdict never does.",
    )
    sandbox: str | None = Field(None, description="The isolation it ran under: 'bubblewrap' or 'none'.")
    traceback: str | None = Field(None, description="The submission's own frames, on an error.")
    stdout: str = ""
    stderr: str = ""
    details: list[str] = Field(default_factory=list, description="Extra notes from the judge.")
    judge_seconds: float | None = Field(None, description="Wall time of the grading.")
    started_at: datetime | None = None


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary] = Field(description="Newest first.")
    limit: int
    offset: int
    next_offset: int | None = Field(None, description="The offset of the next page; null on the last page.")
