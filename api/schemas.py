"""The HTTP schemas: pydantic at the boundary only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    queue_depth: int = Field(description="Submissions queued or running.")
    workers: int
    sandbox: str = Field(description="'bubblewrap', or 'none' when submissions would run unsandboxed.")
    accepting: bool = Field(description="False when the service refuses submissions (no sandbox).")


class ProblemSummary(BaseModel):
    slug: str
    title: str
    summary: str


class SampleCase(BaseModel):
    name: str
    seed: int
    dims: dict[str, int]


class ProblemDetail(ProblemSummary):
    statement: str = Field(description="The statement, in Markdown.")
    signature: str
    starter: str = Field(description="Starter code to fill in.")
    samples: list[SampleCase] = Field(description="The public cases (their inputs are reproducible from the seed).")


class SubmissionIn(BaseModel):
    problem: str = Field(description="A problem slug, e.g. 'cross-attention'.", max_length=100)
    code: str = Field(description="The Python source defining the entry point.")
    timing: bool = Field(True, description="Time the submission against the Torch reference once it passes.")


class Queued(BaseModel):
    id: str
    status: Literal["queued", "running", "done"]


class SubmissionOut(BaseModel):
    id: str
    problem: str
    status: Literal["queued", "running", "done"]
    verdict: str | None = None
    score: float | None = None
    cases: list[dict[str, Any]] = Field(default_factory=list)
    hint: str | None = None
    timing: dict[str, Any] | None = None
    sandbox: str | None = None
    traceback: str | None = None
    stdout: str = ""
    stderr: str = ""
    attempts: int = 0
    created_at: datetime
    finished_at: datetime | None = None


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    limit: int
    offset: int


class Problem(BaseModel):
    detail: str
