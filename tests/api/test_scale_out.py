"""Scale-out on a real PostgreSQL: two API hosts (`judge serve`, no workers) and two worker hosts (`judge work`),
each its own process group with its own host identity, sharing one database.

The promises: killing any host (SIGKILL, the whole process group) loses no
submission and grades none twice; a restarted host takes nothing that a live
host holds; and `?wait=true` on an API host answers as soon as another host
writes the verdict. "Exactly once" is observed, not inferred: a listener
counts the verdict notifications, which the store sends only from the one
transaction that writes a verdict.
"""

from __future__ import annotations

import collections
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.routes.submissions as submissions_route
from api import dialect
from api.app import create_app
from api.notify import Listener
from api.store import Store, Submission
from judge.verdicts import GradeResult, Verdict
from tests.api.conftest import account, make_settings, submit
from tests.api.live import Server, WorkHost
from tests.api.submissions import SLOW, WRONG
from tests.postgres import TempPostgres

pytestmark = [pytest.mark.postgres, pytest.mark.server]

RESULT = GradeResult(problem="cross-attention", verdict=Verdict.WRONG_ANSWER, score=0.0, cases=[],
                     sandbox="bubblewrap").to_dict()
LEASE_S = "3"  # short, so that a dead host's work comes back within seconds


def _wait_for(condition: Callable[[], bool], timeout: float = 120, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Cluster:
    """API hosts and worker hosts on one fresh database, and a listener that counts verdict notifications."""

    def __init__(self, postgres: TempPostgres, root: Path) -> None:
        self.url = postgres.fresh_database(f"cluster_{secrets.token_hex(4)}")
        self.root = root
        self.common = {"database_url": self.url, "secret": "scale-out-tests", "lease_s": LEASE_S,
                       "timing_lane": "false"}
        self.store = Store(self.url)
        self.verdicts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self.listener = Listener(self.url, {dialect.DONE_CHANNEL: self._heard})
        self.apis: list[Server] = []
        self.hosts: list[WorkHost] = []

    def _heard(self, submission_id: str) -> None:
        with self._lock:
            self.verdicts[submission_id] += 1

    def api(self, name: str) -> Server:
        server = Server(self.root / name, workers=0, host_id=name, **self.common)
        self.apis.append(server)
        return server

    def host(self, name: str, workers: int = 1) -> WorkHost:
        host = WorkHost(self.root / name, workers=workers, host_id=name, **self.common)
        self.hosts.append(host)
        return host

    def rows(self) -> list[Submission]:
        return self.store.page(None, 1000, 0)

    def full(self, submission_id: str) -> Submission:
        row = self.store.get(submission_id)
        assert row is not None
        return row

    def close(self) -> None:
        for process in (*self.apis, *self.hosts):
            process.stop()
        self.listener.stop()
        self.store.close()


@pytest.fixture
def cluster(postgres: TempPostgres, tmp_path: Path) -> Iterator[Cluster]:
    made = Cluster(postgres, tmp_path)
    assert made.listener.start()
    assert made.listener.connected.wait(10)
    try:
        yield made
    finally:
        made.close()


def _submit(server: Server, token: str, code: str, wait: bool = False) -> tuple[int, dict[str, object]]:
    status, body, _ = server.request("POST", f"/submissions?wait={str(wait).lower()}",
                                     {"problem": "cross-attention", "code": code, "timing": False}, token, timeout=90)
    return status, body


def test_killing_a_worker_host_and_an_api_host_loses_nothing_and_doubles_nothing(cluster):
    apis = [cluster.api("api-0"), cluster.api("api-1")]
    hosts = [cluster.host("grader-0"), cluster.host("grader-1")]
    for process in (*apis, *hosts):
        process.start()
    for host in hosts:
        host.wait_ready()
    token = apis[0].judge("token", "create", "--name", "alice")  # one account, seen by both API hosts

    codes = [SLOW, WRONG] * 6
    with ThreadPoolExecutor(4) as pool:  # both API hosts take submissions at once
        answers = list(pool.map(lambda i: _submit(apis[i % 2], token, codes[i]), range(len(codes))))
    assert [status for status, _ in answers] == [202] * len(codes)
    ids = [str(body["id"]) for _, body in answers]
    expected = {i: "Accepted" if code is SLOW else "Wrong Answer" for i, code in zip(ids, codes, strict=True)}

    # SIGKILL grader-0 while it holds a grading, and api-1 while requests wait on it
    _wait_for(lambda: any(r.status == "running" and (r.claimed_by or "").startswith("grader-0/")
                          for r in cluster.rows()), what="grader-0 to hold a grading")
    held_by_victim = [r.id for r in cluster.rows() if r.status == "running"
                      and (r.claimed_by or "").startswith("grader-0/")]
    victim = hosts[0].group()
    assert len(victim) >= 2  # the host process and its worker, at least
    hosts[0].kill9()
    _wait_for(lambda: not hosts[0].group(), timeout=10, what="grader-0's processes to be gone")

    waiting = ThreadPoolExecutor(2)
    in_flight = [waiting.submit(_submit, apis[1], token, SLOW, True) for _ in range(2)]
    _wait_for(lambda: len(cluster.rows()) == len(codes) + 2, what="the waiting submissions to be stored")
    apis[1].kill9()
    for future in in_flight:  # their connections die with the host; the submissions are already durable
        with pytest.raises(OSError):
            future.result(timeout=60)
    waiting.shutdown()
    late = [r.id for r in cluster.rows() if r.id not in expected]
    expected.update(dict.fromkeys(late, "Accepted"))

    _wait_for(lambda: all(r.status == "done" for r in cluster.rows()), timeout=240, what="every verdict")
    rows = {r.id: cluster.full(r.id) for r in cluster.rows()}
    assert set(rows) == set(expected)  # none lost, none made up
    assert {i: r.verdict for i, r in rows.items()} == expected
    _wait_for(lambda: sum(cluster.verdicts.values()) >= len(expected), timeout=10, what="the notifications")
    time.sleep(0.5)
    assert dict(cluster.verdicts) == dict.fromkeys(expected, 1)  # exactly one verdict written for each
    for submission_id in held_by_victim:  # graded again by the survivor, the lost attempt counted
        assert rows[submission_id].attempts == 2
        assert (rows[submission_id].claimed_by or "").startswith("grader-1/")
    assert all(r.attempts == 1 for i, r in rows.items() if i not in held_by_victim)
    # the surviving API host still answers, and sees the other host's submissions
    status, body, _ = apis[0].request("GET", f"/submissions/{late[0]}", token=token)
    assert (status, body["status"], body["verdict"]) == (200, "done", "Accepted")


def test_a_restarted_api_host_takes_nothing_a_live_host_holds(cluster):
    api = cluster.api("api-0")
    api.start()
    host = cluster.host("grader-0")
    host.start()
    host.wait_ready()
    token = api.judge("token", "create", "--name", "alice")
    status, body = _submit(api, token, SLOW)
    assert status == 202
    submission_id = str(body["id"])
    _wait_for(lambda: cluster.full(submission_id).status == "running", what="the grading to start")
    before = cluster.full(submission_id)

    api.kill9()
    api.start()  # a new API host process on the same database, with a reaper of its own
    during = cluster.full(submission_id)
    assert (during.status, during.claim_token) == ("running", before.claim_token) or during.status == "done"

    _wait_for(lambda: cluster.full(submission_id).status == "done", what="the verdict")
    after = cluster.full(submission_id)
    assert (after.verdict, after.attempts, after.claimed_by) == ("Accepted", 1, before.claimed_by)


@pytest.mark.parametrize("listening", [True, False])
def test_wait_true_is_woken_by_another_hosts_verdict(postgres, tmp_path, monkeypatch, listening):
    """An API host without workers holds a `?wait=true` request; another "host" writes the verdict. With the
    notification the answer follows at once; without it (the control) only the re-read, made long here, ends
    the wait."""
    url = postgres.fresh_database(f"wait_{secrets.token_hex(4)}")
    reread_s = 4.0
    monkeypatch.setattr(submissions_route, "WAIT_SLICE_S", reread_s)
    if not listening:
        monkeypatch.setattr(Listener, "start", lambda self: False)
    with TestClient(create_app(make_settings(tmp_path, workers=0, database_url=url))) as client:
        if listening:
            assert client.app.state.host.listener.connected.wait(10)  # type: ignore[attr-defined]
        alice = account(client)
        worker_host = Store(url)
        answer: dict[str, object] = {}

        def wait_for_verdict() -> None:
            answer["response"] = submit(client, alice, code=WRONG, wait=True)
            answer["at"] = time.monotonic()

        waiting = threading.Thread(target=wait_for_verdict)
        waiting.start()
        _wait_for(lambda: worker_host.counts()["queued"] == 1, what="the submission")
        time.sleep(1.0)  # the request is now inside its wait, past its first read
        claim = worker_host.claim("elsewhere/b/t/0")
        assert claim is not None
        written = time.monotonic()
        assert worker_host.finish(claim, "Wrong Answer", RESULT)
        waiting.join(30)
        worker_host.close()
    response = answer["response"]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json()["verdict"] == "Wrong Answer"  # type: ignore[attr-defined]
    delay = float(answer["at"]) - written  # type: ignore[arg-type]
    if listening:
        assert delay < 1.0, delay
    else:
        assert delay > 1.5, delay  # positive control: the hint is what made it quick
