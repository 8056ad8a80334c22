"""A throwaway PostgreSQL server for tests and benchmarks: `initdb` into a temporary directory, `postgres` on a
free loopback port, gone (process and files) when the `with` block ends.

It uses Debian's server binaries (`/usr/lib/postgresql/<version>/bin`, installed
by `scripts/setup.sh`), never the packaged cluster or its service. PostgreSQL
refuses to run as root, so as root the server runs as the packaged `postgres`
user (or `nobody`), owning only its temporary directory. Durability is traded
for speed (`fsync=off`): the data dies with the test anyway.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

START_TIMEOUT_S = 30.0
SETUP_HINT = "install PostgreSQL's server with scripts/setup.sh (Debian's postgresql package)"


def binaries() -> Path | None:
    """The newest installed server's bin directory, or the one on PATH; None when there is none."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(re.sub(r"\D", "", p.parent.parent.name) or 0))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    """`with TempPostgres() as pg:` a running server; `pg.url` is its `judge` database's SQLAlchemy URL."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError(f"no PostgreSQL server binaries (initdb, postgres) here: {SETUP_HINT}")
        self.bin = bin_dir
        self.port = 0
        self.root = Path()
        self.process: subprocess.Popen[bytes] | None = None
        self._user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    self._user = pwd.getpwnam(name)
                    break

    @classmethod
    def version(cls) -> str:
        bin_dir = binaries()
        if bin_dir is None:
            return "none"
        out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=False)
        found = re.search(r"\d+(?:\.\d+)+", out.stdout)
        return found.group(0) if found else "unknown"

    @property
    def url(self) -> str:
        return self.url_of("judge")

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://judge@127.0.0.1:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        return f"postgresql://judge@127.0.0.1:{self.port}/judge"

    def _run_as(self) -> dict[str, int]:
        return {} if self._user is None else {"user": self._user.pw_uid, "group": self._user.pw_gid}

    def __enter__(self) -> TempPostgres:
        self.root = Path(tempfile.mkdtemp(prefix="judge-pg-"))
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop()

    def _start(self) -> None:
        data = self.root / "data"
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self.root.chmod(0o700)
        subprocess.run([str(self.bin / "initdb"), "-D", str(data), "-U", "judge", "--auth=trust", "--encoding=UTF8",
                        "--no-sync", "--no-instructions"], check=True, capture_output=True, timeout=120,
                       **self._run_as())  # type: ignore[call-overload]
        log = self.root / "server.log"
        for _ in range(5):  # a port taken between choosing and binding: choose again
            self.port = _free_port()
            with log.open("ab") as sink:
                self.process = subprocess.Popen(
                    [str(self.bin / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(self.port), "-k", "",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                     "-c", "max_connections=200"],
                    stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, **self._run_as())
            if self._wait_ready(log):
                self._create("judge")
                return
            if self.process.poll() is None:
                raise RuntimeError(f"PostgreSQL did not accept connections in {START_TIMEOUT_S} s:\n"
                                   f"{log.read_text(errors='replace')[-3000:]}")
        raise RuntimeError(f"PostgreSQL would not start:\n{log.read_text(errors='replace')[-3000:]}")

    def _wait_ready(self, log: Path) -> bool:
        """True once the server answers; False if it exited (the port was taken, most likely)."""
        import psycopg

        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with psycopg.connect(f"postgresql://judge@127.0.0.1:{self.port}/postgres", connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def _create(self, database: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"postgresql://judge@127.0.0.1:{self.port}/postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))

    def fresh_database(self, name: str) -> str:
        """A new empty database on this server; its SQLAlchemy URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"bad database name {name!r}")
        self._create(name)
        return self.url_of(name)

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)  # fast shutdown: end sessions, no checkpoint wait
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # backends left over in the group
            if self.process is not None:
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)
