"""The core's settings: one validated object read from JUDGE_* environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from judge.problem import DEFAULT_PROBLEMS_DIR
from judge.vetting import default_cache_dir


class JudgeSettings(BaseSettings):
    """What the CLI needs; the service extends it with its own settings."""

    model_config = SettingsConfigDict(env_prefix="JUDGE_", extra="ignore")

    problems_dir: Path = Field(DEFAULT_PROBLEMS_DIR, description=(
        "Folder holding one folder per problem; several folders joined by the path separator (:) are "
        "searched in order, e.g. the shipped problems and a course's own."))
    check_cache_dir: Path = Field(default_factory=default_cache_dir, description=(
        "Where `judge check` results are kept, by a hash of the folder's content and the judge's code; shared by "
        "every data directory on the machine, so a folder is checked once per content."))
    secret: str = Field(
        default_factory=lambda: secrets.token_hex(16),
        description="Mixed into hidden cases' seeds; random per process unless set. Set it to reproduce hidden "
        "cases across runs, and keep it secret.",
    )
    threads: int = Field(1, ge=1, description="BLAS/OpenMP threads for submissions and the Torch reference.")
    timing_cap_s: float = Field(
        20.0, gt=0,
        description="The most one speed comparison may measure for, after the verdict; a submission too slow for "
        "5 timed pairs within it is told so.",
    )
    unsandboxed: bool = Field(
        False,
        description="Run submissions WITHOUT bubblewrap (rlimits, a cgroup and an unprivileged uid only). Only for "
        "machines where bubblewrap cannot run and every submission is trusted; never a fallback.",
    )
