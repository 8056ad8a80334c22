"""The service's settings: the core's, plus storage, workers and limits, all from JUDGE_* variables."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field

from judge.settings import JudgeSettings


class ServiceSettings(JudgeSettings):
    """Everything `judge serve` reads; one validated object."""

    data_dir: Path = Field(Path("judge-data"), description="Where the SQLite database and the secret live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under the data directory.")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, description="Grading processes.")
    max_code_bytes: int = Field(64 * 1024, ge=1, description="Largest accepted submission, in bytes.")
    rate_limit_per_minute: int = Field(30, ge=1, description="Submissions one token may make per minute.")
    max_queue: int = Field(200, ge=1, description="Queued submissions beyond which new ones get 429.")
    wait_timeout_s: float = Field(60.0, gt=0, description="Longest `?wait=true` holds a request.")
    allow_unsandboxed: bool = Field(False, description="Accept submissions even without bubblewrap (unsafe).")
    max_attempts: int = Field(3, ge=1, description="Gradings tried before an Internal Error is reported.")

    @cached_property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'judge.sqlite3').resolve()}"

    def grading_secret(self) -> str:
        """JUDGE_SECRET when set, else a secret generated once and kept in the data directory."""
        if "JUDGE_SECRET" in os.environ:
            return self.secret
        path = self.data_dir / "secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        return path.read_text().strip()
