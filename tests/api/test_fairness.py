"""Fairness: one token cannot fill the shared queue; silent and trickling sockets cannot hold the server.

The admission tests run the app under TestClient with no workers (an API-only
host), so nothing leaves the queue and the caps are all the test sees. The connection
tests start a real `judge serve` (uvicorn, the header deadline of `api.server`)
on a free loopback port with short timeouts, and speak to it over raw sockets.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update

import api.app
import api.deps
from api.settings import ServiceSettings
from api.store import Submission
from tests.api.conftest import account, make_settings, owned, store_of, submit
from tests.api.live import Server

FLOOD = 8  # one token's burst, over the cap of 3 used below


# Nothing is graded here, so the sandbox is reported working whatever this machine has: the fake answers
# both for a probe's result (`.result.ok`) and for an isolation level (`.level`).
_WORKING_SANDBOX = SimpleNamespace(level="bubblewrap", reason="faked for admission tests",
                                   result=SimpleNamespace(ok=True, line="faked for admission tests"))


def _service(tmp_path: Path, **overrides: Any) -> TestClient:
    # no workers: an API-only host; the queue is roomier than any flood
    app = api.app.create_app(make_settings(tmp_path, workers=0, max_queue=50, **overrides))
    sandbox_dependency = get_args(api.deps.Sandbox)[1].dependency  # whatever the route's Sandbox reads
    app.dependency_overrides[sandbox_dependency] = lambda: _WORKING_SANDBOX
    return TestClient(app)


@pytest.mark.parametrize(("cap", "accepted"), [(3, 3), (FLOOD + 2, FLOOD)])  # the second: the cap is what refuses
def test_one_token_cannot_fill_the_queue(tmp_path, cap, accepted):
    with _service(tmp_path, max_pending_per_owner=cap) as client:
        alice, bob = account(client, name="alice"), account(client, name="bob")
        answers = [submit(client, alice, wait=False) for _ in range(FLOOD)]
        assert [a.status_code for a in answers] == [202] * accepted + [429] * (FLOOD - accepted)
        for refused in answers[accepted:]:
            detail = refused.json()["detail"]
            assert detail == (f"this token already has {cap} submissions queued or running; "
                              "wait for one to finish before submitting another")
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert owned(client, alice) == accepted  # a refusal stores nothing
        assert submit(client, bob, wait=False).status_code == 202  # another token still gets in
        assert store_of(client).counts()["queued"] == accepted + 1


def test_a_finished_submission_frees_its_owner_a_place(tmp_path):
    with _service(tmp_path, max_pending_per_owner=2) as client:
        alice = account(client, name="alice")
        first = submit(client, alice, wait=False).json()["id"]
        assert submit(client, alice, wait=False).status_code == 202
        assert submit(client, alice, wait=False).status_code == 429
        with store_of(client).engine.begin() as connection:  # as if a worker had graded it
            connection.execute(update(Submission).where(Submission.id == first).values(status="done"))
        assert submit(client, alice, wait=False).status_code == 202
        assert submit(client, alice, wait=False).status_code == 429


def test_concurrent_submissions_never_overshoot_the_cap(tmp_path):
    with _service(tmp_path, max_pending_per_owner=3) as client:
        alice = account(client, name="alice")
        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(lambda _: submit(client, alice, wait=False).status_code, range(12)))
        assert sorted(codes) == [202] * 3 + [429] * 9
        assert owned(client, alice) == 3


# a real server ---------------------------------------------------------------------------------------------

HEADER_TIMEOUT_S = 2.0
KEEP_ALIVE_S = 1
MAX_CONNECTIONS = 250
IDLE_SOCKETS = 200
TRICKLERS = 5
MARGIN_S = 3.0  # scheduling slack on a loaded machine
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("fairness") / "data", workers=1,
                    header_timeout_s=str(HEADER_TIMEOUT_S), keep_alive_s=str(KEEP_ALIVE_S),
                    max_connections=str(MAX_CONNECTIONS))
    server.start()
    yield server
    server.stop()


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def _response(connection: socket.socket) -> bytes:
    """One HTTP response read off a raw socket: the head, and the body its Content-Length announces."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                  if line.startswith(b"content-length:"))
    while len(body) < length:
        chunk = connection.recv(4096)
        assert chunk, "closed mid-body"
        body += chunk
    return head + b"\r\n\r\n" + body


def _health(server: Server) -> tuple[int, float]:
    """GET /health on a fresh connection: (status, seconds it took)."""
    started = time.monotonic()
    with _connect(server) as connection:
        connection.settimeout(HEADER_TIMEOUT_S)
        connection.sendall(REQUEST)
        status = int(_response(connection).split(b" ", 2)[1])
    return status, time.monotonic() - started


def _watch_until_closed(sockets: list[socket.socket], trickle: list[socket.socket],
                        give_up: float) -> tuple[dict[socket.socket, float], dict[socket.socket, bytes], int]:
    """When the server closed each socket (monotonic time), and what it sent; meanwhile each socket of
    `trickle` is sent the next byte of a request every second (never the last one). Returns as well how
    many bytes each trickler was sent. Bounded: at `give_up` it returns, what is still open left out.
    """
    closed: dict[socket.socket, float] = {}
    received: dict[socket.socket, bytes] = {}
    sent, next_byte = 0, time.monotonic()
    with selectors.DefaultSelector() as selector:
        for s in sockets:
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ)
        while len(closed) < len(sockets) and time.monotonic() < give_up:
            if trickle and time.monotonic() >= next_byte and sent < len(REQUEST) - 1:
                for s in trickle:
                    if s not in closed:
                        with contextlib.suppress(OSError):
                            s.send(REQUEST[sent:sent + 1])
                sent, next_byte = sent + 1, next_byte + 1.0
            for key, _ in selector.select(timeout=0.05):
                s = key.fileobj
                assert isinstance(s, socket.socket)
                try:
                    chunk = s.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:  # reset: closed as surely as by a FIN
                    chunk = b""
                if chunk:
                    received[s] = received.get(s, b"") + chunk
                    continue
                closed[s] = time.monotonic()
                selector.unregister(s)
    return closed, received, sent


@pytest.mark.server
def test_idle_and_trickling_sockets_are_closed_and_health_still_answers(live):
    opened = time.monotonic()
    idle = [_connect(live) for _ in range(IDLE_SOCKETS)]
    trickle = [_connect(live) for _ in range(TRICKLERS)]
    try:
        status, took = _health(live)  # while every one of them is open
        answered = time.monotonic()
        assert status == 200
        assert took < 2.0, took
        with _connect(live) as complete:  # the positive control: a prompt request is served as ever
            complete.sendall(REQUEST)
            assert _response(complete).startswith(b"HTTP/1.1 200")

        closed, received, trickled = _watch_until_closed(idle + trickle, trickle,
                                                         give_up=opened + HEADER_TIMEOUT_S + MARGIN_S)
        assert len(closed) == IDLE_SOCKETS + TRICKLERS, f"{IDLE_SOCKETS + TRICKLERS - len(closed)} still open"
        assert min(closed.values()) > answered  # they were all open while /health answered
        lifetimes = sorted(at - opened for at in closed.values())
        assert lifetimes[0] >= HEADER_TIMEOUT_S - 0.5, lifetimes[:5]  # closed by the deadline, not before it
        assert lifetimes[-1] <= HEADER_TIMEOUT_S + MARGIN_S, lifetimes[-5:]
        assert trickled >= 2  # they were sending when the deadline came
        assert all(received.get(s, b"").startswith(b"HTTP/1.1 408") for s in trickle)  # told why
        assert not any(received.get(s) for s in idle)  # nothing was asked, nothing is answered
    finally:
        for s in idle + trickle:
            s.close()
    assert _health(live)[0] == 200


@pytest.mark.server
def test_silent_sockets_past_max_connections_get_503_until_the_deadline_frees_them(live):
    silent = [_connect(live) for _ in range(MAX_CONNECTIONS)]
    try:
        assert _health(live)[0] == 503  # uvicorn's limit counts idle connections too: why the deadline matters
        closed, _, _ = _watch_until_closed(silent, [], give_up=time.monotonic() + HEADER_TIMEOUT_S + MARGIN_S)
        assert len(closed) == MAX_CONNECTIONS
        assert _health(live)[0] == 200
    finally:
        for s in silent:
            s.close()


@pytest.mark.server
def test_a_kept_alive_connection_is_closed_when_idle_and_when_its_next_headers_trickle(live):
    with _connect(live) as kept:
        for _ in range(2):  # kept alive between requests that come promptly
            kept.sendall(REQUEST)
            assert _response(kept).startswith(b"HTTP/1.1 200")
            time.sleep(KEEP_ALIVE_S / 4)
        answered = time.monotonic()
        closed, _, _ = _watch_until_closed([kept], [], give_up=answered + KEEP_ALIVE_S + MARGIN_S)
        assert kept in closed, "an idle kept-alive connection stayed open"
        assert closed[kept] - answered <= KEEP_ALIVE_S + MARGIN_S / 2  # JUDGE_KEEP_ALIVE_S, not uvicorn's 5 s

    with _connect(live) as slow:  # the first byte of a second request stops uvicorn's keep-alive timer
        slow.sendall(REQUEST)
        assert _response(slow).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        closed, received, trickled = _watch_until_closed([slow], [slow],
                                                         give_up=started + HEADER_TIMEOUT_S + MARGIN_S)
        assert slow in closed, "a trickled second request kept its connection open"
        assert trickled >= 2
        assert received.get(slow, b"").startswith(b"HTTP/1.1 408")
        assert closed[slow] - started >= HEADER_TIMEOUT_S - 0.5


def test_the_fairness_settings_and_their_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("JUDGE_DATA_DIR", str(tmp_path))
    defaults = ServiceSettings()
    assert (defaults.max_pending_per_owner, defaults.header_timeout_s, defaults.keep_alive_s,
            defaults.max_connections) == (4, 10.0, 5, 512)
    monkeypatch.setenv("JUDGE_MAX_PENDING_PER_OWNER", "0")
    with pytest.raises(ValidationError, match="max_pending_per_owner"):
        ServiceSettings()
