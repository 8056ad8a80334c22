"""The service's routes through TestClient, with a real warm worker grading in the real sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.deps import get_sandbox
from api.sandbox_monitor import SandboxState
from api.store import Submission
from judge.probe import ProbeResult
from judge.sandbox import isolation
from tests.api.conftest import account, make_settings, owned, store_of, submit
from tests.api.submissions import BROKEN, CORRECT, WRONG

pytestmark = pytest.mark.sandbox  # a real warm worker grades in the real sandbox

FAILED_PROBE = "the sandbox does not start: bwrap: Can't find source path /root/x: Permission denied"


def failed_probe() -> SandboxState:
    return SandboxState(ProbeResult(False, FAILED_PROBE, isolation(), 0.1), time.monotonic())


def _poll_done(client: TestClient, headers: dict[str, str], submission_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = client.get(f"/submissions/{submission_id}", headers=headers).json()
        if current["status"] == "done" or time.monotonic() > deadline:
            return current
        time.sleep(0.05)


def test_health_reports_queue_workers_and_sandbox(service):
    body = service.get("/health").json()
    assert body["status"] == "ok"
    assert (body["workers"], body["workers_ready"]) == (1, 1)  # warm before the app answered anything
    assert body["sandbox"] == "bubblewrap"
    assert body["accepting"] is True
    assert body["queue_depth"] == body["queued"] + body["running"]


def test_problems_are_public_with_statement_signature_starter_and_samples(service):
    listed = service.get("/problems").json()
    assert {"cross-attention", "encoder-layer", "decoder-layer"} <= {p["slug"] for p in listed}
    assert all(set(p) == {"slug", "title", "summary"} for p in listed)
    detail = service.get("/problems/cross-attention").json()
    assert detail["signature"].startswith("def cross_attention_block(")
    assert detail["statement"].startswith("#")
    assert "## Scoring" in detail["statement"]
    assert "all or nothing" in detail["statement"]
    assert "def cross_attention_block" in detail["starter"]
    assert detail["samples"], "cross-attention has public cases"
    sample = detail["samples"][0]
    assert set(sample) == {"name", "seed", "dims", "shapes"}
    dims = sample["dims"]
    assert sample["shapes"]["decoder_x"] == [dims["N"], dims["T_dec"], dims["d"]]
    assert sample["shapes"]["num_heads"] == []


@pytest.mark.parametrize("slug", ["nope", "...", "cross_attention", "Cross-Attention", "x" * 300])
def test_unknown_problem_is_404(service, slug):
    answer = service.get(f"/problems/{slug}")
    assert answer.status_code == 404
    assert "unknown problem" in answer.json()["detail"]


def test_every_submission_route_needs_a_valid_token(service):
    alice = account(service)
    mine = submit(service, alice, wait=False).json()["id"]
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWxpY2U6eA=="},
                    {"Authorization": "Bearer"}):
        assert service.get("/submissions", headers=headers).status_code == 401
        assert service.get(f"/submissions/{mine}", headers=headers).status_code == 401
        assert service.post(f"/submissions/{mine}/regrade", headers=headers).status_code == 401
        refused = service.post("/submissions", headers=headers, json={"problem": "cross-attention", "code": "x"})
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert owned(service, alice) == 1


def test_a_revoked_token_is_refused(service):
    name = "revoked-student"
    headers = account(service, name=name)
    assert service.get("/submissions", headers=headers).status_code == 200
    assert store_of(service).revoke(name)
    assert service.get("/submissions", headers=headers).status_code == 401


def test_grading_for_real_accepted_wrong_and_compilation_error(service):
    alice = account(service)
    accepted = submit(service, alice)
    assert accepted.status_code == 200
    body = accepted.json()
    assert (body["status"], body["verdict"], body["score"]) == ("done", "Accepted", 1.0)
    assert body["points"] == body["max_points"] == 10  # cross-attention's four groups
    assert body["sandbox"] == "bubblewrap"
    assert body["attempts"] == 1
    assert len(body["cases"]) >= 5
    assert all(c["verdict"] == "Accepted" for c in body["cases"])
    assert body["finished_at"] >= body["created_at"]
    assert accepted.headers["Location"] == f"/submissions/{body['id']}"
    assert service.get(f"/submissions/{body['id']}", headers=alice).json() == body

    wrong = submit(service, alice, code=WRONG).json()
    assert wrong["verdict"] == "Wrong Answer"
    assert 0 <= wrong["score"] < 1
    assert "eps" in wrong["hint"]
    broken = submit(service, alice, code=BROKEN).json()
    assert broken["verdict"] == "Compilation Error"
    assert broken["score"] == 0


def test_the_verdict_comes_first_and_the_speed_follows(service):
    alice = account(service)
    started = time.monotonic()
    timed = submit(service, alice, timing=True).json()
    answered = time.monotonic() - started
    assert timed["verdict"] == "Accepted"
    assert timed["timing"]["status"] in ("pending", "running")  # the verdict did not wait for it
    deadline = time.monotonic() + 90
    while (timing := service.get(f"/submissions/{timed['id']}", headers=alice).json()["timing"])["status"] in (
            "pending", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert timing["status"] in ("done", "skipped"), timing
    if timing["status"] == "done":
        assert timing["samples"] >= 5
        assert timing["speedup"] > 0
    assert time.monotonic() - started > answered  # the figure came after the answer, not with it
    again = service.get(f"/submissions/{timed['id']}", headers=alice).json()
    assert (again["verdict"], again["cases"]) == (timed["verdict"], timed["cases"])  # the verdict never changes


def test_timing_runs_only_when_asked(service):
    alice = account(service)
    untimed = submit(service, alice, timing=False).json()
    assert untimed["verdict"] == "Accepted"
    assert untimed["timing"] == {"status": "skipped", "reason": "timing is off for this grading"}
    wrong = submit(service, alice, code=WRONG, timing=True).json()
    assert wrong["timing"]["status"] == "skipped"


def test_without_wait_it_answers_202_then_finishes(service):
    alice = account(service)
    queued = submit(service, alice, wait=False)
    assert queued.status_code == 202
    assert queued.json()["status"] in ("queued", "running")
    assert queued.headers["Location"] == f"/submissions/{queued.json()['id']}"
    done = _poll_done(service, alice, queued.json()["id"])
    assert (done["status"], done["verdict"]) == ("done", "Accepted")


def test_a_wait_that_runs_out_answers_202(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, wait_timeout_s=0.2))) as client:
        alice = account(client)
        started = time.monotonic()
        slow = submit(client, alice, code="import time\ntime.sleep(2)\n" + CORRECT, wait=True)
        assert slow.status_code == 202
        assert time.monotonic() - started < 5
        assert slow.json()["status"] in ("queued", "running")
        assert _poll_done(client, alice, slow.json()["id"])["verdict"] == "Accepted"


def test_students_see_only_their_own_and_admins_see_all(service):
    alice, bob, admin = account(service), account(service), account(service, "admin")
    mine = submit(service, alice).json()
    assert service.get(f"/submissions/{mine['id']}", headers=bob).status_code == 404
    assert service.get("/submissions/0123456789abcdef", headers=bob).status_code == 404  # the same answer
    assert service.get("/submissions", headers=bob).json()["items"] == []
    assert [s["id"] for s in service.get("/submissions", headers=alice).json()["items"]] == [mine["id"]]
    seen = service.get(f"/submissions/{mine['id']}", headers=admin)
    assert seen.status_code == 200
    assert seen.json()["owner"] == mine["owner"]
    everyone = service.get("/submissions?limit=100", headers=admin).json()["items"]
    assert mine["id"] in {s["id"] for s in everyone}


def test_admin_regrades_and_it_ends_with_one_new_verdict(service):
    alice, admin = account(service), account(service, "admin")
    first = submit(service, alice).json()
    assert service.post(f"/submissions/{first['id']}/regrade", headers=alice).status_code == 403
    assert service.post("/submissions/0123456789abcdef/regrade", headers=admin).status_code == 404
    again = service.post(f"/submissions/{first['id']}/regrade", headers=admin)
    assert again.status_code == 202
    assert again.json() == {"id": first["id"], "status": "queued"}
    regraded = _poll_done(service, admin, first["id"])
    assert (regraded["status"], regraded["verdict"], regraded["attempts"]) == ("done", "Accepted", 1)
    assert regraded["finished_at"] > first["finished_at"]
    assert owned(service, alice) == 1


def test_listing_is_newest_first_and_paginated(service):
    alice = account(service)
    ids = [submit(service, alice, wait=False).json()["id"] for _ in range(3)]
    first = service.get("/submissions?limit=2&offset=0", headers=alice).json()
    assert [s["id"] for s in first["items"]] == ids[::-1][:2]
    assert first["next_offset"] == 2
    last = service.get(f"/submissions?limit=2&offset={first['next_offset']}", headers=alice).json()
    assert [s["id"] for s in last["items"]] == ids[:1]
    assert last["next_offset"] is None
    assert service.get("/submissions?limit=0", headers=alice).status_code == 422
    assert service.get("/submissions?limit=101", headers=alice).status_code == 422
    assert service.get("/submissions?offset=-1", headers=alice).status_code == 422
    for submission_id in ids:
        assert _poll_done(service, alice, submission_id)["verdict"] == "Accepted"


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"problem": "cross-attention", "code": "'
    for _ in range(total // 8192):
        yield b"#" * 8192
    yield b'"}'


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"problem": "cross-attention", "code": ', 422),
        (b"", 422),
        (b"[1, 2]", 422),
        (b'{"problem": "cross-attention"}', 422),
        (b'{"code": "def f(): pass"}', 422),
        (b'{"problem": "cross-attention", "code": 7}', 422),
        (b'{"problem": "cross-attention", "code": "x = 1", "timing": "sometimes"}', 422),
        (json.dumps({"problem": "cross-attention", "code": "a\x00b"}).encode(), 422),
        (b'{"problem": "cross-attention", "code": "a\\u0000b"}', 422),
        (b'{"problem": "cross-attention", "code": "\xff\xfe x = 1"}', 422),
        (b'{"problem": "cross-attention", "code": "\\ud800"}', 422),
        (json.dumps({"problem": "self-attention", "code": "x = 1"}).encode(), 404),
        (json.dumps({"problem": "../../etc/passwd", "code": "x = 1"}).encode(), 404),
        (json.dumps({"problem": "cross-attention", "code": "#" * (64 * 1024 + 1)}).encode(), 413),
        (json.dumps({"problem": "cross-attention", "code": "é" * (32 * 1024 + 1)}).encode(), 413),
        (json.dumps({"problem": "cross-attention", "code": "#" * (500 * 1024)}).encode(), 413),
        (_chunks(1024 * 1024), 413),
    ],
    ids=["truncated json", "empty body", "not an object", "missing code", "missing problem", "code not a string",
         "timing not a bool", "nul bytes", "escaped nul", "undecodable bytes", "lone surrogate", "unknown problem",
         "path as problem", "code over the limit", "utf-8 bytes over the limit", "body over the limit",
         "chunked body over the limit"],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(service, body, status):
    alice = account(service)
    answer = service.post("/submissions", headers={**alice, "Content-Type": "application/json"}, content=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert owned(service, alice) == 0


def test_code_just_under_the_limit_in_multibyte_text_is_accepted(service):
    alice = account(service)
    code = "# " + "é" * (32 * 1024 - 2)  # 65534 bytes of UTF-8, escaped by JSON to six times that
    answer = service.post("/submissions", headers={**alice, "Content-Type": "application/json"},
                          content=json.dumps({"problem": "cross-attention", "code": code, "timing": False}))
    assert answer.status_code == 202, answer.text
    assert _poll_done(service, alice, answer.json()["id"])["status"] == "done"


def test_rate_limit_per_token_answers_429_with_retry_after(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, rate_limit_per_minute=2))) as client:
        alice = account(client)
        assert submit(client, alice, wait=False).status_code == 202
        assert submit(client, alice, wait=False).status_code == 202
        refused = submit(client, alice, wait=False)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        assert "a minute" in refused.json()["detail"]
        assert owned(client, alice) == 2
        assert submit(client, account(client), wait=False).status_code == 202  # per token


def test_full_queue_answers_429_and_stores_nothing(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, max_queue=2))) as client:
        store = store_of(client)
        alice = account(client, name="alice")
        for _ in range(2):
            store.admit("alice", "cross-attention", "x = 1", False, max_queue=10, per_minute=10)
        with store.engine.begin() as connection:  # held by no live worker, so they stay 'running'
            connection.execute(update(Submission).values(status="running", claimed_by="gone", claim_token=None))
        refused = submit(client, alice, wait=False)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert "queue is full" in refused.json()["detail"]
        assert owned(client, alice) == 2
        assert client.get("/health").json()["queue_depth"] == 2


def test_refuses_submissions_while_the_sandbox_probe_fails(service):
    service.app.dependency_overrides[get_sandbox] = failed_probe  # type: ignore[attr-defined]
    try:
        alice = account(service)
        refused = submit(service, alice)
        assert refused.status_code == 503
        assert FAILED_PROBE in refused.json()["detail"]
        assert owned(service, alice) == 0
        health = service.get("/health").json()
        assert (health["status"], health["accepting"], health["probe"]) == ("degraded", False, FAILED_PROBE)
    finally:
        service.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    # positive control: with the real probe, the same service takes the same submission
    assert submit(service, account(service), wait=False).status_code == 202


def test_unsandboxed_only_when_an_operator_sets_it(tmp_path: Path):
    with TestClient(create_app(make_settings(tmp_path, unsandboxed=True))) as client:
        health = client.get("/health").json()
        assert (health["sandbox"], health["accepting"]) == ("none", True), health
        answer = submit(client, account(client))
        assert answer.status_code == 200, answer.text
        assert (answer.json()["verdict"], answer.json()["sandbox"]) == ("Accepted", "none")


def test_openapi_documents_every_route_with_models_and_errors(service):
    schema = service.get("/openapi.json").json()
    paths = schema["paths"]
    expected = {("/health", "get"), ("/problems", "get"), ("/problems/{slug}", "get"), ("/submissions", "post"),
                ("/submissions", "get"), ("/submissions/{submission_id}", "get"),
                ("/submissions/{submission_id}/regrade", "post"), ("/admin/problems", "get")}
    assert {(path, method) for path, item in paths.items() for method in item} == expected
    for path, method in expected:
        operation = paths[path][method]
        assert operation["summary"], (path, method)
        assert operation["description"], (path, method)
        assert all("description" in answer for answer in operation["responses"].values())
    post = paths["/submissions"]["post"]
    assert {"200", "202", "401", "404", "413", "422", "429", "503"} <= set(post["responses"])
    assert set(post["requestBody"]["content"]["application/json"]["schema"]["required"]) == {"problem", "code"}
    assert post["security"]  # the bearer scheme shows in the docs
    assert {"401", "404"} <= set(paths["/submissions/{submission_id}"]["get"]["responses"])
    assert "403" in paths["/submissions/{submission_id}/regrade"]["post"]["responses"]
    assert "404" in paths["/problems/{slug}"]["get"]["responses"]
    assert {"401", "403"} <= set(paths["/admin/problems"]["get"]["responses"])
    components = schema["components"]["schemas"]
    assert {"Health", "ProblemSummary", "ProblemDetail", "Queued", "SubmissionOut", "SubmissionPage",
            "CaseOut", "ErrorBody"} <= set(components)
    assert "Accepted" in json.dumps(components["SubmissionOut"]) or "Verdict" in components
