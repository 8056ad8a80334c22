"""The real service: `judge serve` on a free loopback port, spoken to over HTTP, killed with -9."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.live import Server, alive, wait_done
from tests.api.submissions import CORRECT, WRONG

pytestmark = [pytest.mark.server, pytest.mark.sandbox]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data")
    running.start()
    yield running
    running.stop()


def _body(code: str = CORRECT, timing: bool = False) -> dict[str, object]:
    return {"problem": "cross-attention", "code": code, "timing": timing}


def _rows(data_dir: Path) -> list[tuple[str, str, str | None, int]]:
    """(id, status, verdict, attempts) of every submission, read from the database itself."""
    with sqlite3.connect(data_dir / "judge.sqlite3") as db:
        return db.execute("SELECT id, status, verdict, attempts FROM submissions").fetchall()


def _wait_for(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_tokens_auth_ownership_regrade_and_a_real_verdict(server):
    alice = server.judge("token", "create", "--name", "alice")
    bob = server.judge("token", "create", "--name", "bob")
    admin = server.judge("token", "create", "--name", "ta", "--role", "admin")
    assert len(alice.split()) == 1  # only the token on stdout
    assert "alice" in server.judge("token", "list")
    assert server.request("GET", "/problems")[0] == 200  # public

    status, body, _headers = server.request("POST", "/submissions?wait=true", _body(), alice)
    assert (status, body["status"], body["verdict"]) == (200, "done", "Accepted")
    assert body["sandbox"] == "bubblewrap"
    assert server.request("GET", f"/submissions/{body['id']}", token=bob)[0] == 404
    assert server.request("GET", "/submissions", token=bob)[1]["items"] == []
    assert server.request("GET", "/submissions", token=None)[0] == 401
    assert server.request("GET", f"/submissions/{body['id']}", token=admin)[1]["owner"] == "alice"

    assert server.request("POST", f"/submissions/{body['id']}/regrade", token=alice)[0] == 403
    assert server.request("POST", f"/submissions/{body['id']}/regrade", token=admin)[0] == 202
    (regraded,) = wait_done(server, admin, [body["id"]])
    assert (regraded["verdict"], regraded["attempts"]) == ("Accepted", 1)
    assert regraded["finished_at"] > body["finished_at"]

    server.judge("token", "revoke", "bob")
    assert server.request("GET", "/submissions", token=bob)[0] == 401


def test_bad_inputs_over_http_store_nothing(server):
    alice = server.judge("token", "create", "--name", "alice")
    assert server.request("POST", "/submissions", {"problem": "nope", "code": "x"}, alice)[0] == 404
    assert server.request("POST", "/submissions", {"problem": "cross-attention"}, alice)[0] == 422
    assert server.request("POST", "/submissions", raw=b'{"problem": "cross-', token=alice)[0] == 422
    assert server.request("POST", "/submissions", _body("a\x00b"), alice)[0] == 422
    undecodable = b'{"problem": "cross-attention", "code": "\xc3\x28"}'
    assert server.request("POST", "/submissions", raw=undecodable, token=alice)[0] == 422
    status, body, _ = server.request("POST", "/submissions", _body("#" * (70 * 1024)), alice)
    assert status == 413
    assert "65536" in body["detail"]
    assert server.request("GET", "/submissions", token=alice)[1]["items"] == []


def test_an_oversized_content_length_is_refused_before_the_body_is_sent(server):
    alice = server.judge("token", "create", "--name", "alice")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"POST /submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Authorization: Bearer " + alice.encode() + b"\r\nContent-Length: 1000000000\r\n\r\n")
        answer = connection.recv(4096)  # not a byte of the gigabyte was sent: the answer comes anyway
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert server.request("GET", "/submissions", token=alice)[1]["items"] == []


def test_sixteen_concurrent_submissions_all_end_done(server):
    alice = server.judge("token", "create", "--name", "alice")

    def submit(i: int) -> tuple[int, dict]:
        status, body, _ = server.request("POST", "/submissions?wait=true", _body(CORRECT if i % 2 == 0 else WRONG),
                                         alice)
        return status, body

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(submit, range(16)))
    assert [status for status, _ in answers] == [200] * 16
    ids = [body["id"] for _, body in answers]
    results = wait_done(server, alice, ids)
    assert [r["status"] for r in results] == ["done"] * 16
    assert [r["verdict"] for r in results] == ["Accepted", "Wrong Answer"] * 8
    assert [r["attempts"] for r in results] == [1] * 16
    assert server.request("GET", "/health")[1]["queue_depth"] == 0


def test_kill_9_with_work_queued_then_restart_grades_each_exactly_once(tmp_path):
    data = tmp_path / "data"
    server = Server(data, workers=1, lease_s="3")  # what the dead server held returns once its lease runs out
    server.start()
    try:
        alice = server.judge("token", "create", "--name", "alice")
        codes = [CORRECT, WRONG] * 3
        ids = []
        for i, code in enumerate(codes):  # the first takes a second (timing on): it is mid-run at the kill
            status, body, _ = server.request("POST", "/submissions", _body(code, timing=i == 0), alice)
            assert status == 202
            ids.append(body["id"])
        _wait_for(lambda: any(state == "running" for _, state, _, _ in _rows(data)))
        workers = server.workers_pids()
        assert len(workers) == 1
        server.kill9()
        _wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10)  # no orphan keeps grading
        before = {row[0]: row[1] for row in _rows(data)}
        assert "running" in before.values()
        assert "queued" in before.values()

        server.start()  # the same data directory
        results = wait_done(server, alice, ids)
        assert [r["status"] for r in results] == ["done"] * 6
        assert [r["verdict"] for r in results] == ["Accepted", "Wrong Answer"] * 3
        assert results[0]["attempts"] == 2  # graded again from the start after the kill
        assert results[0]["timing"] is not None
    finally:
        server.stop()
    rows = _rows(data)
    assert sorted(row[0] for row in rows) == sorted(ids)  # none lost, none doubled
    assert all(status == "done" and verdict for _, status, verdict, _ in rows)


def test_a_killed_worker_is_replaced_and_its_submission_graded_again(tmp_path):
    server = Server(tmp_path / "data", workers=1)
    server.start()
    try:
        alice = server.judge("token", "create", "--name", "alice")
        status, body, _ = server.request("POST", "/submissions", _body(timing=True), alice)
        assert status == 202
        _wait_for(lambda: server.request("GET", f"/submissions/{body['id']}", token=alice)[1]["status"] == "running")
        (worker,) = server.workers_pids()
        os.kill(worker, signal.SIGKILL)
        (result,) = wait_done(server, alice, [body["id"]])
        assert (result["status"], result["verdict"], result["attempts"]) == ("done", "Accepted", 2)
        assert server.workers_pids() - {worker}
        assert server.request("GET", "/health")[1]["workers_ready"] == 1
    finally:
        server.stop()
    assert "worker 0" in server.log_tail()
