"""The real service: `judge serve` on a free loopback port, spoken to over HTTP, killed with -9."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.conftest import CORRECT

pytestmark = pytest.mark.server
WRONG = CORRECT.replace("1e-5", "1e-3")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`judge serve` in a child process with its own data directory."""

    def __init__(self, data_dir: Path, workers: int = 2) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "JUDGE_DATA_DIR": str(data_dir), "JUDGE_WORKERS": str(workers),
                    "JUDGE_SECRET": "real-server", "JUDGE_RATE_LIMIT_PER_MINUTE": "100"}
        self.process: subprocess.Popen[bytes] | None = None

    def judge(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "judge.cli", *args], env=self.env, capture_output=True,
                                text=True, check=True, timeout=60)
        return result.stdout.strip()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "judge.cli", "serve", "--port", str(self.port)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def request(self, method: str, path: str, body: object = None, token: str | None = None,
                timeout: float = 120) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # the server and its workers, all at once
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "data")
    running.start()
    yield running
    running.stop()


def _wait_done(server: Server, token: str, ids: list[str], timeout: float = 240) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        results = [server.request("GET", f"/submissions/{i}", token=token)[1] for i in ids]
        if all(r.get("status") == "done" for r in results) or time.monotonic() > deadline:
            return results
        time.sleep(0.5)


def test_tokens_auth_ownership_and_a_real_verdict(server):
    alice = server.judge("token", "create", "--name", "alice")
    bob = server.judge("token", "create", "--name", "bob")
    assert len(alice.split()) == 1  # only the token on stdout
    assert "alice" in server.judge("token", "list")
    status, body = server.request("POST", "/submissions?wait=true",
                                  {"problem": "cross-attention", "code": CORRECT, "timing": False}, alice)
    assert (status, body["verdict"]) == (200, "Accepted")
    assert server.request("GET", f"/submissions/{body['id']}", token=bob)[0] == 404
    assert server.request("GET", "/submissions", token=None)[0] == 401
    server.judge("token", "revoke", "bob")
    assert server.request("GET", "/submissions", token=bob)[0] == 401


def test_bad_inputs_over_http(server):
    alice = server.judge("token", "create", "--name", "alice")
    assert server.request("POST", "/submissions", {"problem": "nope", "code": "x"}, alice)[0] == 404
    assert server.request("POST", "/submissions", {"problem": "cross-attention"}, alice)[0] == 422
    assert server.request("POST", "/submissions", {"problem": "cross-attention", "code": "\x00"}, alice)[0] == 422
    huge = {"problem": "cross-attention", "code": "#" * (70 * 1024)}
    assert server.request("POST", "/submissions", huge, alice)[0] == 413
    assert server.request("GET", "/submissions", token=alice)[1]["items"] == []


def test_sixteen_concurrent_submissions_all_end_done(server):
    alice = server.judge("token", "create", "--name", "alice")

    def submit(i: int) -> str:
        code = CORRECT if i % 2 == 0 else WRONG
        status, body = server.request("POST", "/submissions",
                                      {"problem": "cross-attention", "code": code, "timing": False}, alice)
        assert status == 202
        return str(body["id"])

    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(submit, range(16)))
    results = _wait_done(server, alice, ids)
    assert [r["status"] for r in results] == ["done"] * 16
    assert [r["verdict"] for r in results] == ["Accepted", "Wrong Answer"] * 8


def test_kill_9_with_work_queued_then_restart_loses_nothing(tmp_path):
    server = Server(tmp_path / "data", workers=1)
    server.start()
    alice = server.judge("token", "create", "--name", "alice")
    ids = []
    for i in range(6):
        status, body = server.request("POST", "/submissions", {"problem": "cross-attention",
                                      "code": CORRECT if i % 2 == 0 else WRONG, "timing": False}, alice)
        assert status == 202
        ids.append(body["id"])
    time.sleep(0.5)  # let the worker claim one and be mid-run
    server.kill9()
    server.start()  # the same data directory
    try:
        results = _wait_done(server, alice, ids)
    finally:
        server.stop()
    assert [r["status"] for r in results] == ["done"] * 6
    assert [r["verdict"] for r in results] == ["Accepted", "Wrong Answer"] * 3
    assert all(r["finished_at"] for r in results)
    server.start()
    try:
        listed = server.request("GET", "/submissions?limit=100", token=alice)[1]["items"]
    finally:
        server.stop()
    assert sorted(item["id"] for item in listed) == sorted(ids)  # each exactly once, none lost, none doubled
