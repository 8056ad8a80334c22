"""The core's settings: one validated object read from JUDGE_* environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from judge.course_secret import load_or_create
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
    data_dir: Path = Field(Path("judge-data"), description=(
        "Where the judge keeps its state: the course secret (both the CLI's and the service's) and the service's "
        "SQLite database."))
    secret: str = Field(
        default_factory=lambda: secrets.token_hex(16),
        description="Mixed into hidden cases' seeds. Unset (the usual case), the course secret file is used "
        "instead; set, it overrides the file. Keep it secret either way.",
    )
    secret_file: Path | None = Field(None, description=(
        "The course secret's file; default DATA_DIR/secret, created once with a random secret. Every run that "
        "reads the same file meets the same hidden cases."))
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

    @property
    def secret_path(self) -> Path:
        """The course secret's file."""
        return self.secret_file if self.secret_file is not None else self.data_dir / "secret"

    def course_secret(self) -> tuple[str, bool]:
        """JUDGE_SECRET when given; else the secret file's, created on first use. Also whether it was just created.

        Hidden cases' seeds are mixed with it, so every run must keep it: a
        re-grade, or a submission graded again after a crash, meets the same cases.
        """
        if "secret" in self.model_fields_set:
            return self.secret, False
        return load_or_create(self.secret_path)
