"""The store's accounts and admissions, and the service's settings."""

from __future__ import annotations

import pytest

from api.settings import ServiceSettings


def test_admission_limits_queue_and_rate(store):
    assert not isinstance(store.admit("alice", "p", "x", False, max_queue=5, per_minute=2), tuple)
    assert not isinstance(store.admit("alice", "p", "x", False, max_queue=5, per_minute=2), tuple)
    why, retry_after = store.admit("alice", "p", "x", False, max_queue=5, per_minute=2)  # type: ignore[misc]
    assert why == "rate"
    assert 1 <= retry_after <= 61
    store.create_account("bob", "student")
    assert store.admit("bob", "p", "x", False, max_queue=2, per_minute=2) == ("queue", 5)
    assert store.counts()["queued"] == 2


def test_tokens_are_stored_hashed_and_revocable(store):
    token = store.create_account("carol", "admin")
    assert len(token) >= 40
    account = store.account_for(token)
    assert account is not None
    assert (account.name, account.role) == ("carol", "admin")
    assert token not in account.token_sha256
    assert store.account_for(token + "x") is None
    with pytest.raises(ValueError, match="exists already"):
        store.create_account("carol", "student")
    assert store.revoke("carol")
    assert store.account_for(token) is None
    assert not store.revoke("nobody")


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JUDGE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("JUDGE_WORKERS", "3")
    monkeypatch.setenv("JUDGE_MAX_CODE_BYTES", "1000")
    monkeypatch.setenv("JUDGE_UNSANDBOXED", "true")
    monkeypatch.delenv("JUDGE_SECRET", raising=False)
    monkeypatch.delenv("JUDGE_DATABASE_URL", raising=False)
    settings = ServiceSettings()
    assert (settings.workers, settings.max_code_bytes, settings.unsandboxed) == (3, 1000, True)
    assert (settings.rate_limit_per_minute, settings.max_queue, settings.wait_timeout_s) == (30, 200, 60.0)
    assert settings.database == f"sqlite:///{(tmp_path / 'd' / 'judge.sqlite3').resolve()}"
    secret = settings.grading_secret()
    assert len(secret) == 64
    assert ServiceSettings().grading_secret() == secret  # generated once, kept across restarts
    assert (tmp_path / "d" / "secret").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("JUDGE_SECRET", "given")
    assert ServiceSettings().grading_secret() == "given"
    monkeypatch.setenv("JUDGE_DATABASE_URL", "postgresql+psycopg://judge@db/judge")
    assert ServiceSettings().database == "postgresql+psycopg://judge@db/judge"
    monkeypatch.setenv("JUDGE_WORKERS", "0")
    assert ServiceSettings().workers == 0  # an API-only host
    monkeypatch.setenv("JUDGE_WORKERS", "-1")
    with pytest.raises(ValueError, match="workers"):
        ServiceSettings()
    monkeypatch.setenv("JUDGE_WORKERS", "1")
    monkeypatch.setenv("JUDGE_HOST_ID", "../evil host")
    with pytest.raises(ValueError, match="host_id"):
        ServiceSettings()
    monkeypatch.setenv("JUDGE_HOST_ID", "grader-7")
    monkeypatch.setenv("JUDGE_LEASE_S", "0.5")
    with pytest.raises(ValueError, match="lease_s"):
        ServiceSettings()
