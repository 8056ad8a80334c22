"""The service's settings: the core's, plus storage, workers and limits, all from JUDGE_* variables.

One `ServiceSettings` object is built when the app is created and reached by the
routes through the `get_settings` dependency (`api.deps`); nothing reads the
environment at module level.
"""

from __future__ import annotations

import os

from pydantic import Field, PrivateAttr

from judge.settings import JudgeSettings

DATABASE_FILE = "judge.sqlite3"


def default_workers() -> int:
    """One grading process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class ServiceSettings(JudgeSettings):
    """Everything `judge serve` reads; one validated object."""

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the database; unset means SQLite in the data directory."
    )
    workers: int = Field(default_factory=default_workers, ge=0, le=256,
                         description="Grading worker processes on this host; one per core by default. 0: this "
                                     "host only serves HTTP, and `judge work` hosts grade (they share the database).")
    lease_s: float = Field(30.0, ge=1, le=3600,
                           description="A claimed grading's lease, renewed every third of it while it runs. When a "
                                       "host dies, its work goes back to the queue this long after its last renewal.")
    host_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                description="This host's name in worker identities; unset means the hostname.")
    require_check: bool = Field(
        True, description="Serve a problem only once `judge check` has passed on its current content; new and "
                          "edited folders are checked in the background. Off: every folder that loads is served.")
    check_interval_s: float = Field(5.0, gt=0, description="How often the problem folders are looked over for "
                                                           "new or edited problems to check.")
    max_code_bytes: int = Field(64 * 1024, ge=1, description="Largest accepted submission, in UTF-8 bytes.")
    rate_limit_per_minute: int = Field(30, ge=1, description="Submissions one token may make per minute.")
    max_queue: int = Field(200, ge=1, description="Queued or running submissions beyond which new ones get 429.")
    max_pending_per_owner: int = Field(
        4, ge=1, description="Queued or running submissions one token may have; beyond, 429, so that one token "
                             "cannot fill the queue that everyone shares.")
    wait_timeout_s: float = Field(60.0, gt=0, description="Longest a `?wait=true` request is held before 202.")
    probe_interval_s: float = Field(300.0, gt=0, description="How often the sandbox's launch path is probed again.")
    max_attempts: int = Field(3, ge=1, description="Gradings tried before an Internal Error is reported.")
    timing_lane: bool = Field(True, description="Run the speed comparisons (one at a time, after the verdicts) "
                                                "in a lane process on this host.")
    timing_defer_queue: int = Field(1, ge=1, description="Queued gradings at which speed comparisons wait, so that "
                                                         "a deadline's queue drains first.")
    header_timeout_s: float = Field(
        10.0, gt=0, le=3600, description="Longest a connection may take to deliver a request's complete headers "
                                         "before it is closed; idle and trickling sockets cannot pile up.")
    keep_alive_s: int = Field(5, ge=1, le=3600, description="Idle seconds after a response before a keep-alive "
                                                             "connection is closed.")
    session_hours: float = Field(12.0, gt=0, le=24 * 90, description="How long a web page sign-in lasts.")
    max_connections: int = Field(
        512, ge=1, description="Open connections (and requests in progress) beyond which uvicorn answers 503.")

    @property
    def database(self) -> str:
        """The SQLAlchemy URL in use."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    _secret: str | None = PrivateAttr(None)

    def grading_secret(self) -> str:
        """The course secret: JUDGE_SECRET, else the secret file (DATA_DIR/secret), shared with the CLI.

        Read once: every page request signs or checks a cookie with it, and the file never changes while
        a server runs (the workers took their copy at start-up too)."""
        if self._secret is None:
            self._secret = self.course_secret()[0]
        return self._secret
