"""Real service processes: `judge serve` on a free loopback port with its own data directory, plain HTTP;
`judge work` as a worker host. Each runs as its own process group, so a test can kill one whole host."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from api.timing_lane import LANE_PROCESS_NAME

START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> set[int]:
    """The direct children of `pid`, whichever of its threads started them."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Server:
    """`python -m judge.cli serve` with its own data directory; the same directory survives restarts."""

    def __init__(self, data_dir: Path, workers: int = 2, **settings: str) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = free_port()
        self.env = service_env(data_dir, workers, **settings)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"serve-{self.port}.log"

    def judge(self, *args: str) -> str:
        """Run `judge ARGS` (the main CLI) against this server's data directory; its stdout."""
        result = subprocess.run([sys.executable, "-m", "judge.cli", *args], env=self.env, capture_output=True,
                                text=True, check=True, timeout=120)
        return result.stdout.strip()

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "judge.cli", "serve", "--port", str(self.port)], env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"judge serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, body, _ = self.request("GET", "/health", timeout=5)
                if status == 200 and body["workers_ready"] == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"judge serve did not become ready:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def request(self, method: str, path: str, body: Any = None, token: str | None = None, timeout: float = 120,
                raw: bytes | None = None) -> tuple[int, Any, dict[str, str]]:
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null"), dict(error.headers)

    def workers_pids(self) -> set[int]:
        assert self.process is not None
        return {pid for pid in children(self.process.pid)
                if b"spawn_main" in _cmdline(pid) and _comm(pid) != LANE_PROCESS_NAME}

    def lane_pids(self) -> set[int]:
        """The timing lane's process (none when it is off)."""
        assert self.process is not None
        return {pid for pid in children(self.process.pid) if _comm(pid) == LANE_PROCESS_NAME}

    def kill9(self) -> None:
        """SIGKILL the server process alone, as the OOM killer would; its workers must not outlive it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        stop_group(self.process, signal.SIGINT)


def stop_group(process: subprocess.Popen[bytes] | None, how: signal.Signals) -> None:
    """Ask a service process to stop (`how`), wait a minute at most, then SIGKILL whatever of its process group
    is left."""
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def service_env(data_dir: Path, workers: int, **settings: str) -> dict[str, str]:
    """The environment of a service process: JUDGE_* from `settings` (`lease_s="3"` is JUDGE_LEASE_S=3);
    the data directory's SQLite file and generated secret unless a test names others."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("JUDGE_DATABASE_URL", "JUDGE_SECRET", "JUDGE_HOST_ID")}
    env.update({"JUDGE_DATA_DIR": str(data_dir), "JUDGE_WORKERS": str(workers),
                "JUDGE_RATE_LIMIT_PER_MINUTE": "1000", "JUDGE_MAX_PENDING_PER_OWNER": "1000",
                "JUDGE_REQUIRE_CHECK": "false",  # the gate is tested in test_catalogue.py
                **{f"JUDGE_{key.upper()}": value for key, value in settings.items()}})
    return env


class WorkHost:
    """`judge work --workers N` as its own process group: a worker host that serves no HTTP."""

    READY = "judge work: ready"

    def __init__(self, data_dir: Path, workers: int = 1, **settings: str) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.env = service_env(data_dir, workers, **settings)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"work-{data_dir.name}.log"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "judge.cli", "work", "--workers", str(self.workers)], env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.READY not in self.log_tail():
            if self.process.poll() is not None:
                raise AssertionError(f"judge work exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"judge work did not become ready:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def group(self) -> set[int]:
        """Every live process of this host's process group (its workers and their sandboxes included)."""
        assert self.process is not None
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid and fields[0] != "Z":  # field 5 of stat: the process group
                found.add(int(stat.parent.name))
        return found

    def kill9(self) -> None:
        """SIGKILL the whole host at once, as a machine that loses power: nothing of it runs any cleanup."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        stop_group(self.process, signal.SIGTERM)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def wait_done(server: Server, token: str, ids: list[str], timeout: float = 180) -> list[dict[str, Any]]:
    """Each submission, once every one is done (or the timeout has passed)."""
    deadline = time.monotonic() + timeout
    while True:
        results = [server.request("GET", f"/submissions/{i}", token=token)[1] for i in ids]
        if all(r.get("status") == "done" for r in results) or time.monotonic() > deadline:
            return results
        time.sleep(0.2)
