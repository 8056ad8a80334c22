"""Leases, reaping, fencing, the admission lock and notifications: on SQLite and on a real PostgreSQL.

Each store test runs against both databases (the `backend` fixture), since the
two differ exactly where these promises live: the clock, the lock and the
notifications (`api.dialect`).
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import api.store as store_module
from api import dialect
from api.leases import Heartbeat, Reaper, boot_id, host_identity, worker_identity
from api.notify import Listener
from api.store import Store, aware
from judge.verdicts import GradeResult, Verdict
from tests.api.conftest import queue
from tests.postgres import TempPostgres

ACCEPTED = GradeResult(problem="cross-attention", verdict=Verdict.ACCEPTED, score=1.0, cases=[],
                       sandbox="bubblewrap").to_dict()


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'judge.sqlite3'}"
    server: TempPostgres = request.getfixturevalue("postgres")
    return server.fresh_database(f"leases_{secrets.token_hex(4)}")


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    fresh = Store(url)
    fresh.create_account("alice", "student")
    yield fresh
    fresh.close()


def test_a_claim_is_leased_by_the_database_clock(store):
    queue(store)
    claim = store.claim("h/b/t/0", lease_s=30)
    assert claim is not None
    row = store.get(claim.id)
    assert row is not None
    assert row.lease_until is not None
    assert 29.0 < row.lease_until - store.database_time() <= 30.0
    assert abs(store.database_time() - time.time()) < 5  # the same clock here; on a cluster, only the database's


def test_admission_times_come_from_the_database_clock(store, monkeypatch):
    """API hosts with skewed clocks must still queue in order: a host 10 minutes fast changes nothing."""
    first = store.admit("alice", "cross-attention", "x = 1", False, max_queue=10, per_minute=10)
    monkeypatch.setattr("api.store.now", lambda: datetime.now(UTC) + timedelta(minutes=10))
    second = store.admit("alice", "cross-attention", "x = 1", False, max_queue=10, per_minute=10)
    assert not isinstance(first, tuple)
    assert not isinstance(second, tuple)
    assert 0 <= (aware(second.created_at) - aware(first.created_at)).total_seconds() < 5
    assert abs(aware(second.created_at).timestamp() - store.database_time()) < 5


def test_only_expired_leases_are_reaped_and_a_late_verdict_is_fenced_off(store):
    # lease_s=-1: a lease that ran out already (SQLite's clock ticks in milliseconds, so 0 could still be "now")
    live_id, dead_id = queue(store, 2)
    live = store.claim("alive/b/t/0", lease_s=600)
    dead = store.claim("dead/b/t/0", lease_s=-1)
    assert (live.id, dead.id) == (live_id, dead_id)  # type: ignore[union-attr]
    assert store.reap(max_attempts=3) == (1, 0)
    assert store.get(live_id).status == "running"  # type: ignore[union-attr]
    again = store.claim("other/b/t/0", lease_s=600)
    assert again is not None
    assert (again.id, again.attempts) == (dead_id, 2)  # the attempt of the dead host counted
    assert not store.renew(dead)  # type: ignore[arg-type]  # the dead host's heartbeat cannot take it back
    assert not store.finish(dead, "Wrong Answer", ACCEPTED)  # type: ignore[arg-type]  # nor write a verdict
    assert store.finish(again, "Accepted", ACCEPTED)
    assert store.finish(live, "Accepted", ACCEPTED)  # type: ignore[arg-type]
    assert store.counts() == {"queued": 0, "running": 0, "done": 2}


def test_a_renewed_lease_is_not_reaped_and_a_lapsed_one_is(store):
    queue(store)
    claim = store.claim("h/b/t/0", lease_s=1.0)
    assert claim is not None
    for _ in range(3):  # 1.8 s in all, past the first lease, renewed every 0.6 s
        time.sleep(0.6)
        assert store.renew(claim, lease_s=1.0)
        assert store.reap(max_attempts=3) == (0, 0)
    time.sleep(1.2)  # no renewal: the lease runs out
    assert store.reap(max_attempts=3) == (1, 0)
    assert not store.renew(claim, lease_s=1.0)


def test_reaping_gives_the_final_verdict_once_the_attempts_are_spent(store, url):
    (submission_id,) = queue(store)
    seen: list[str] = []
    listener = Listener(url, {dialect.DONE_CHANNEL: seen.append})
    listening = listener.start()
    try:
        if listening:
            assert listener.connected.wait(10)
        for attempt in (1, 2):
            assert store.claim(f"h{attempt}/b/t/0", lease_s=-1) is not None
            assert store.reap(max_attempts=2) == ((1, 0) if attempt == 1 else (0, 1))
        done = store.get(submission_id)
        assert done is not None
        assert (done.status, done.verdict, done.attempts) == ("done", "Internal Error", 2)
        assert "stopped renewing its lease 2 times" in done.result()["details"][0]
        if listening:  # the hosts waiting on it hear of the final verdict too
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert seen == [submission_id]
    finally:
        listener.stop()


def test_a_timing_lease_is_reaped_then_skipped_after_two_lapses(store):
    (submission_id,) = queue(store)
    claim = store.claim("h/b/t/0")
    assert claim is not None
    store.finish(claim, "Accepted", {**ACCEPTED, "timing": {"status": "pending", "reason": "queued"}})
    first = store.claim_timing(lease_s=-1)
    assert first is not None
    assert store.reap_timing() == 1
    second = store.claim_timing(lease_s=-1)
    assert second is not None
    assert not store.finish_timing(first, {"status": "done"})  # fenced off
    assert store.reap_timing() == 0
    row = store.get(submission_id)
    assert row is not None
    assert (row.timing_status, row.timing_attempts) == ("skipped", 2)
    assert "stopped 2 times" in row.result()["timing"]["reason"]


def test_admissions_hold_the_per_owner_cap_across_connections(store, url, monkeypatch):
    """Six "hosts" (separate engines and connections) admit at once; counting is slowed so that every one
    of them would count before any inserts, unless the database lock serialises them."""
    cap = 2
    counted_quickly = store_module._pending

    def counted_slowly(session, owner=None):  # type: ignore[no-untyped-def]
        found = counted_quickly(session, owner)
        time.sleep(0.3)
        return found

    def admitted(hosts: list[Store]) -> int:
        barrier = threading.Barrier(len(hosts))
        answers: list[object] = []

        def one(host: Store) -> None:
            barrier.wait()
            answers.append(host.admit("alice", "cross-attention", "x = 1", False, max_queue=1000,
                                      per_minute=1000, max_pending_per_owner=cap))

        threads = [threading.Thread(target=one, args=(host,)) for host in hosts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(answers) == len(hosts)
        return store.counts()["queued"]

    hosts = [Store(url) for _ in range(6)]
    try:
        monkeypatch.setattr(store_module, "_pending", counted_slowly)
        assert admitted(hosts) == cap
        with store.engine.begin() as connection:  # start again with an empty queue
            connection.exec_driver_sql("DELETE FROM submissions")
        monkeypatch.setattr(dialect, "lock_admissions", lambda session: None)
        assert admitted(hosts) > cap  # positive control: without the lock the cap is overshot
    finally:
        for host in hosts:
            host.close()


def test_notifications_reach_a_listening_host(postgres):
    url = postgres.fresh_database(f"notify_{secrets.token_hex(4)}")
    store = Store(url)
    store.create_account("alice", "student")
    done: list[str] = []
    queued: list[str] = []
    listener = Listener(url, {dialect.DONE_CHANNEL: done.append, dialect.QUEUED_CHANNEL: queued.append})
    assert listener.start()
    try:
        assert listener.connected.wait(10)
        (submission_id,) = queue(store)
        claim = store.claim("h/b/t/0")
        assert claim is not None
        refused = store.admit("alice", "cross-attention", "x", False, max_queue=1, per_minute=1000)
        assert isinstance(refused, tuple)  # refused: no notification for it
        assert store.finish(claim, "Accepted", ACCEPTED)
        assert not store.finish(claim, "Accepted", ACCEPTED)  # a second write changes nothing, and says nothing
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert done == [submission_id]
        assert queued == [""]
    finally:
        listener.stop()
        store.close()


def test_sqlite_has_no_listener(tmp_path):
    assert not Listener(f"sqlite:///{tmp_path / 'x.sqlite3'}", {}).start()


def test_a_busy_grading_cannot_starve_the_heartbeat(tmp_path):
    """The grading thread holds the GIL in pure Python for 4 leases; a reaper on another connection looks
    every 0.1 s. With the heartbeat the claim survives; without it (the control) it is reaped."""
    url = f"sqlite:///{tmp_path / 'judge.sqlite3'}"
    store = Store(url)
    store.create_account("alice", "student")
    lease = 0.6

    def survives(with_heartbeat: bool) -> bool:
        queue(store)
        claim = store.claim("h/b/t/0", lease_s=lease)
        assert claim is not None
        reaper = Reaper(Store(url), max_attempts=5, interval_s=0.1)
        heartbeat = Heartbeat(lease)
        reaper.start()
        try:
            with heartbeat.holding(lambda: store.renew(claim, lease) if with_heartbeat else True):
                busy_until = time.monotonic() + 4 * lease
                spins = 0
                while time.monotonic() < busy_until:  # trusted Python, never releasing the GIL by itself
                    spins += sum(range(1000))
            return store.finish(claim, "Accepted", ACCEPTED)
        finally:
            heartbeat.stop()
            reaper.stop()

    assert survives(with_heartbeat=True)
    assert not survives(with_heartbeat=False)


def test_worker_identities_name_the_host_the_boot_and_the_slot():
    first, second = host_identity(), host_identity()
    assert first != second  # two processes on one machine never share an identity
    host, boot, _tag = first.split("/")
    assert host == socket.gethostname()[:64]
    assert boot == boot_id() != "unknown-boot"
    assert host_identity("grader-7").startswith(f"grader-7/{boot}/")
    assert worker_identity(first, 3) == f"{first}/3"
