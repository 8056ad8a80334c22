"""The service's routes through TestClient, with real workers grading in the real sandbox."""

import json

import pytest
from fastapi.testclient import TestClient

from api import routes_submissions
from api.app import create_app
from judge.sandbox import Isolation
from tests.api.conftest import CORRECT, make_settings, token

WRONG = CORRECT.replace("1e-5", "1e-3")


def _submit(client, headers, code=CORRECT, problem="cross-attention", wait=True, timing=False):
    return client.post(f"/submissions?wait={str(wait).lower()}", headers=headers,
                       json={"problem": problem, "code": code, "timing": timing})


def _stored(client) -> int:
    return len(client.app.state.store.list_for(None, 100, 0))


def test_health_reports_queue_workers_and_sandbox(service):
    body = service.get("/health").json()
    assert body["status"] == "ok"
    assert body["workers"] == 1
    assert body["sandbox"] == "bubblewrap"
    assert body["queue_depth"] == 0


def test_problems_are_public(service):
    listed = service.get("/problems").json()
    assert {p["slug"] for p in listed} == {"cross-attention", "encoder-layer", "decoder-layer"}
    detail = service.get("/problems/encoder-layer").json()
    assert detail["signature"].startswith("def encoder_layer(")
    assert "# Post-LN encoder layer" in detail["statement"]
    assert "def encoder_layer" in detail["starter"]
    assert [s["name"] for s in detail["samples"]] == ["sample-small", "sample-one-head"]
    assert service.get("/problems/nope").status_code == 404


def test_submissions_need_a_valid_token(service):
    assert service.get("/submissions").status_code == 401
    assert service.post("/submissions", json={"problem": "cross-attention", "code": "x"}).status_code == 401
    assert service.get("/submissions", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_grading_for_real_accepted_and_wrong_with_hint(service):
    alice = token(service, "alice")
    accepted = _submit(service, alice)
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "done"
    assert body["verdict"] == "Accepted"
    assert body["score"] == 1.0
    assert body["sandbox"] == "bubblewrap"
    assert body["finished_at"] is not None
    wrong = _submit(service, alice, code=WRONG).json()
    assert wrong["verdict"] == "Wrong Answer"
    assert "eps" in wrong["hint"]
    assert service.get(f"/submissions/{body['id']}", headers=alice).json()["verdict"] == "Accepted"


def test_without_wait_it_answers_202_then_finishes(service):
    alice = token(service, "alice")
    queued = _submit(service, alice, wait=False)
    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"
    submission_id = queued.json()["id"]
    for _ in range(400):
        current = service.get(f"/submissions/{submission_id}", headers=alice).json()
        if current["status"] == "done":
            break
        import time

        time.sleep(0.05)
    assert current["verdict"] == "Accepted"


def test_students_see_only_their_own_and_admins_see_all(service):
    alice, bob, admin = token(service, "alice"), token(service, "bob"), token(service, "root", "admin")
    mine = _submit(service, alice).json()["id"]
    assert service.get(f"/submissions/{mine}", headers=bob).status_code == 404
    assert service.get("/submissions", headers=bob).json()["items"] == []
    assert [s["id"] for s in service.get("/submissions", headers=alice).json()["items"]] == [mine]
    assert service.get(f"/submissions/{mine}", headers=admin).status_code == 200
    assert service.post(f"/submissions/{mine}/regrade", headers=alice).status_code == 403
    assert service.post(f"/submissions/{mine}/regrade", headers=admin).status_code == 202


def test_listing_is_newest_first_and_paginated(service):
    alice = token(service, "alice")
    ids = [_submit(service, alice).json()["id"] for _ in range(3)]
    page = service.get("/submissions?limit=2&offset=0", headers=alice).json()
    assert [s["id"] for s in page["items"]] == ids[::-1][:2]
    assert [s["id"] for s in service.get("/submissions?limit=2&offset=2", headers=alice).json()["items"]] == ids[:1]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"problem": "cross-attention", "code": ', 422),
        (b'{"problem": "cross-attention"}', 422),
        (b'{"code": "def f(): pass"}', 422),
        (json.dumps({"problem": "cross-attention", "code": "a\x00b"}).encode(), 422),
        (b'{"problem": "cross-attention", "code": "\xff\xfe"}', 422),
        (json.dumps({"problem": "self-attention", "code": "x = 1"}).encode(), 404),
        (json.dumps({"problem": "cross-attention", "code": "#" * (64 * 1024 + 1)}).encode(), 413),
        (json.dumps({"problem": "cross-attention", "code": "#" * (300 * 1024)}).encode(), 413),
    ],
    ids=["truncated json", "missing code", "missing problem", "nul bytes", "undecodable", "unknown problem",
         "code over the limit", "body over the limit"],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(service, body, status):
    alice = token(service, "alice")
    answer = service.post("/submissions", headers={**alice, "Content-Type": "application/json"}, content=body)
    assert answer.status_code == status, answer.text
    assert "detail" in answer.json()
    assert _stored(service) == 0


def test_rate_limit_answers_429_with_retry_after(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, rate_limit_per_minute=2))) as client:
        alice = token(client, "alice")
        assert _submit(client, alice, wait=False).status_code == 202
        assert _submit(client, alice, wait=False).status_code == 202
        refused = _submit(client, alice, wait=False)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert _stored(client) == 2
        assert _submit(client, token(client, "bob"), wait=False).status_code == 202  # per token


def test_full_queue_answers_429_and_stores_nothing(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, max_queue=1))) as client:
        store = client.app.state.store
        blocker = store.add_submission("someone", "cross-attention", "x = 1", False)
        store.claim("not-a-worker")  # holds it 'running' so that it counts and no worker takes it
        assert store.get(blocker.id).status == "running"
        refused = _submit(client, token(client, "alice"), wait=False)
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        assert _stored(client) == 1


def test_refuses_untrusted_code_without_a_sandbox(service, monkeypatch):
    monkeypatch.setattr(routes_submissions, "detect_isolation", lambda: Isolation("none", "no bwrap"))
    refused = _submit(service, token(service, "alice"))
    assert refused.status_code == 503
    assert "JUDGE_ALLOW_UNSANDBOXED" in refused.json()["detail"]
    assert _stored(service) == 0


def test_openapi_documents_every_route(service):
    schema = service.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/health", "/problems", "/problems/{slug}", "/submissions", "/submissions/{submission_id}",
                 "/submissions/{submission_id}/regrade"):
        assert path in paths, path
    post = paths["/submissions"]["post"]
    assert {"202", "200", "413", "422", "429"} <= set(post["responses"])
    assert "requestBody" in post
