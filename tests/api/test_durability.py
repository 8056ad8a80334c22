"""The store's promises: one claimant per submission, a verdict only from the current claim, Internal Errors
retried then reported, requeueing after a dead worker or a killed server. In-process, with fake and real graders."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings
from api.store import Claim, Store
from api.workers import ProblemCache, WorkerConfig, grade_claim
from judge.grader import GradeOptions
from judge.problem import DEFAULT_PROBLEMS_DIR, Problem
from judge.verdicts import GradeResult, Verdict
from tests.api.conftest import account, make_settings, queue, submit


@pytest.fixture(scope="module")
def problems() -> ProblemCache:
    return ProblemCache(ServiceSettings(workers=1).problems_dir)


CONFIG = WorkerConfig(database="", problems_dir="", secret="store-tests", max_attempts=3, identity="test/host/0",
                      lease_s=30.0)


def _result(verdict: Verdict) -> GradeResult:
    return GradeResult(problem="cross-attention", verdict=verdict, score=1.0 if verdict is Verdict.ACCEPTED else 0.0,
                       cases=[], sandbox="bubblewrap")


class FakeGrader:
    """Answers the given verdicts in turn and records the options of each call."""

    def __init__(self, *verdicts: Verdict) -> None:
        self.verdicts = list(verdicts)
        self.options: list[GradeOptions] = []

    def __call__(self, problem: Problem, code: str, options: GradeOptions) -> GradeResult:
        assert options.threads == 1
        self.options.append(options)
        return _result(self.verdicts.pop(0))


def _run_worker(store: Store, problems: ProblemCache, grade: FakeGrader, slot: int = 0) -> list[str]:
    """Claim and grade until the queue is empty, as a worker does."""
    outcomes = []
    while (claim := store.claim(f"worker-{slot}")) is not None:
        outcomes.append(grade_claim(store, problems, claim, CONFIG, grade=grade))
    return outcomes


def test_claims_are_atomic_under_racing_workers(store):
    ids = queue(store, 60)
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(index: int) -> None:
        rival = Store(str(store.engine.url))  # its own engine and connections, as a process has
        start.wait()
        while (claim := rival.claim(f"w{index}")) is not None:
            with lock:
                claimed.append(claim.id)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)  # every one claimed, none twice
    assert store.counts() == {"queued": 0, "running": 60, "done": 0}


def test_claims_go_oldest_first_and_count_attempts(store):
    first, second = queue(store, 2)
    claim = store.claim("w")
    assert claim is not None
    assert (claim.id, claim.attempts) == (first, 1)
    assert store.get(first).status == "running"  # type: ignore[union-attr]
    assert store.claim("w").id == second  # type: ignore[union-attr]
    assert store.claim("w") is None


def test_a_verdict_needs_the_current_claim(store):
    (submission_id,) = queue(store)
    stale = store.claim("w")
    assert stale is not None
    assert store.requeue(submission_id)  # an admin's re-grade while it runs
    fresh = store.claim("w2")
    assert fresh is not None
    assert not store.finish(stale, "Wrong Answer", {"score": 0.0})  # the old grading's verdict is dropped
    assert store.finish(fresh, "Accepted", {"score": 1.0})
    assert not store.finish(fresh, "Accepted", {"score": 1.0})  # and never written twice
    done = store.get(submission_id)
    assert done is not None
    assert (done.status, done.verdict, done.score) == ("done", "Accepted", 1.0)


def test_internal_error_is_retried_then_reported_after_three_attempts(store, problems):
    (submission_id,) = queue(store)
    grader = FakeGrader(Verdict.INTERNAL_ERROR, Verdict.INTERNAL_ERROR, Verdict.INTERNAL_ERROR)
    outcomes = _run_worker(store, problems, grader, slot=5)
    assert outcomes == ["retry after attempt 1", "retry after attempt 2", "Internal Error"]
    assert not any(o.unsandboxed for o in grader.options)  # never without the sandbox unless configured
    done = store.get(submission_id)
    assert done is not None
    assert (done.status, done.verdict, done.attempts) == ("done", "Internal Error", 3)


def test_a_grading_killed_by_the_watchdog_ends_as_time_limit_exceeded_after_its_attempts(store):
    (submission_id,) = queue(store)
    for attempt in (1, 2, 3):
        claim = store.claim("wedged-worker")
        assert claim is not None
        assert claim.attempts == attempt
        requeued, failed = store.release("wedged-worker", max_attempts=3, overran=True)
        assert (requeued, failed) == ((1, 0) if attempt < 3 else (0, 1))
    done = store.get(submission_id)
    assert done is not None
    assert (done.status, done.verdict) == ("done", "Time Limit Exceeded")
    assert "watchdog" in done.result()["details"][0]
    assert store.claim("another-worker") is None  # it wedges no further worker


def test_internal_error_then_success_reports_only_the_success(store, problems):
    (submission_id,) = queue(store)
    grader = FakeGrader(Verdict.INTERNAL_ERROR, Verdict.ACCEPTED)
    assert _run_worker(store, problems, grader) == ["retry after attempt 1", "Accepted"]
    done = store.get(submission_id)
    assert done is not None
    assert (done.verdict, done.attempts) == ("Accepted", 2)


def test_a_grader_that_raises_counts_as_an_internal_error(store, problems):
    (submission_id,) = queue(store)

    def explode(problem: Problem, code: str, options: GradeOptions) -> GradeResult:
        raise RuntimeError("the judge broke")

    outcomes = []
    while (claim := store.claim("w")) is not None:
        outcomes.append(grade_claim(store, problems, claim, CONFIG, grade=explode))
    assert outcomes[-1] == "Internal Error"
    done = store.get(submission_id)
    assert done is not None
    assert "RuntimeError: the judge broke" in done.result()["details"][0]


@pytest.mark.sandbox
def test_a_real_grading_through_the_worker_step(store, problems):
    (submission_id,) = queue(store)
    claim = store.claim("w")
    assert isinstance(claim, Claim)
    assert grade_claim(store, problems, claim, CONFIG) == "Accepted"
    assert store.get(submission_id).result()["sandbox"] == "bubblewrap"  # type: ignore[union-attr]


def test_a_server_start_requeues_nothing_that_a_live_lease_holds(tmp_path):
    """Another host's claims survive this server's start; only leases that ran out are taken back."""
    settings = make_settings(tmp_path, workers=1)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database)
    store.create_account("alice", "student")
    ids = queue(store, 3)
    held = store.claim("other-host/boot/tag/0", lease_s=600)
    dead = store.claim("dead-host/boot/tag/0", lease_s=-1)
    assert held is not None
    assert dead is not None
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 120
        while {store.get(i).status for i in ids if i != held.id} != {"done"}:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the reaped and the queued submissions were not graded"
            time.sleep(0.2)
        still = store.get(held.id)
        assert still is not None
        assert (still.status, still.claim_token, still.attempts) == ("running", held.token, 1)
    regraded = store.get(dead.id)
    assert regraded is not None
    assert (regraded.verdict, regraded.attempts) == ("Accepted", 2)  # reaped, then graded afresh here
    assert not store.finish(dead, "Accepted", _result(Verdict.ACCEPTED).to_dict())  # the dead claim is fenced off
    assert store.finish(held, "Accepted", _result(Verdict.ACCEPTED).to_dict())  # the live one's verdict counts


def test_a_dead_workers_submission_is_requeued_until_it_has_used_its_attempts(store):
    (submission_id,) = queue(store)
    for attempt in (1, 2):
        assert store.claim("dead-worker") is not None
        assert store.release("dead-worker", max_attempts=3) == (1, 0), attempt
    assert store.claim("dead-worker") is not None
    assert store.release("dead-worker", max_attempts=3) == (0, 1)
    done = store.get(submission_id)
    assert done is not None
    assert (done.status, done.verdict) == ("done", "Internal Error")
    assert "died 3 times" in done.result()["details"][0]


@pytest.mark.sandbox
def test_an_internal_error_is_retried_then_reported_end_to_end(tmp_path):
    problems_dir = tmp_path / "problems"
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", problems_dir / "cross-attention")
    manifest = problems_dir / "cross-attention" / "problem.toml"
    # a tolerance dtype that has no epsilon: the judge's own fault in every grading
    manifest.write_text(manifest.read_text().replace('dtype = "float32"', 'dtype = "int8"', 1))
    settings = make_settings(tmp_path / "data", problems_dir=problems_dir, max_attempts=3)
    with TestClient(create_app(settings)) as client:
        alice = account(client)
        submitted = submit(client, alice, wait=False).json()
        deadline = time.monotonic() + 60
        while (current := client.get(f"/submissions/{submitted['id']}", headers=alice).json())["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert (current["verdict"], current["attempts"]) == ("Internal Error", 3)
    assert any("internal error" in note for note in current["details"])
