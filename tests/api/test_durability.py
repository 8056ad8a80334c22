"""The store's promises: atomic claims, recovery after a crash, Internal Errors retried, then reported."""

import shutil
import time

from fastapi.testclient import TestClient

from api.app import create_app
from api.store import Store
from judge.problem import DEFAULT_PROBLEMS_DIR
from tests.api.conftest import CORRECT, make_settings, token


def test_a_submission_is_claimed_by_exactly_one_worker(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    submission = store.add_submission("alice", "cross-attention", "x = 1", False)
    first, second = store.claim("worker-a"), store.claim("worker-b")
    assert first is not None
    assert first.id == submission.id
    assert second is None
    store.finish(submission.id, "worker-b", "Accepted", {}, retry=False)  # not the holder: ignored
    assert store.get(submission.id).status == "running"
    store.finish(submission.id, "worker-a", "Accepted", {"score": 1.0}, retry=False)
    assert store.get(submission.id).status == "done"


def test_restart_and_dead_workers_requeue_running_work(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    a = store.add_submission("alice", "cross-attention", "x = 1", False)
    b = store.add_submission("alice", "cross-attention", "x = 2", False)
    store.claim("worker-a")
    store.claim("worker-b")
    assert store.release("worker-a") == 1
    assert store.get(a.id).status == "queued"
    assert store.recover() == 1  # what a killed server left running
    assert store.get(b.id).status == "queued"


def test_an_internal_error_is_retried_then_reported(tmp_path):
    problems = tmp_path / "problems"
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", problems / "cross-attention")
    manifest = problems / "cross-attention" / "problem.toml"
    # a tolerance dtype that has no epsilon: the judge's own fault in every grading
    manifest.write_text(manifest.read_text().replace('dtype = "float32"', 'dtype = "int8"', 1))
    settings = make_settings(tmp_path, problems_dir=problems, max_attempts=3)
    with TestClient(create_app(settings)) as client:
        alice = token(client, "alice")
        submitted = client.post("/submissions", headers=alice,
                                json={"problem": "cross-attention", "code": CORRECT, "timing": False}).json()
        for _ in range(600):
            current = client.get(f"/submissions/{submitted['id']}", headers=alice).json()
            if current["status"] == "done":
                break
            time.sleep(0.05)
    assert current["verdict"] == "Internal Error"
    assert current["attempts"] == 3
