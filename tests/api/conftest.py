"""Fixtures for the service: apps on temporary data directories, accounts, submissions.

The TestClient apps start the real lifespan: the store, the recovery and one real
warm worker that grades in the real sandbox.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings
from api.store import Store
from tests.api.submissions import CORRECT
from tests.postgres import TempPostgres


def make_settings(data_dir: Path, **overrides: Any) -> ServiceSettings:
    # require_check is off unless a test turns it on: vetting the shipped problems takes minutes, and
    # tests/api/test_catalogue.py tests the gate itself on a problem of its own
    values: dict[str, Any] = {"data_dir": data_dir, "workers": 1, "secret": "api-tests", "wait_timeout_s": 60.0,
                              "timing_cap_s": 3.0, "require_check": False, **overrides}
    return ServiceSettings(**values)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for a module's route tests; each test makes its own accounts, so they do not meet."""
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("service")))) as client:
        yield client


def queue(store: Store, count: int = 1, owner: str = "alice") -> list[str]:
    """Admit `count` correct submissions for `owner` (the limits out of the way); their ids, oldest first."""
    ids = []
    for _ in range(count):
        admitted = store.admit(owner, "cross-attention", CORRECT, False, max_queue=1000, per_minute=1000)
        assert not isinstance(admitted, tuple)
        ids.append(admitted.id)
    return ids


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def account(client: TestClient, role: str = "student", name: str | None = None) -> dict[str, str]:
    """A fresh account's Authorization header."""
    token = store_of(client).create_account(name or f"{role}-{secrets.token_hex(4)}", role)
    return {"Authorization": f"Bearer {token}"}


def submit(client: TestClient, headers: dict[str, str], code: str = CORRECT, problem: str = "cross-attention",
           wait: bool = True, timing: bool = False) -> Any:
    return client.post(f"/submissions?wait={str(wait).lower()}", headers=headers,
                       json={"problem": problem, "code": code, "timing": timing})


def owned(client: TestClient, headers: dict[str, str]) -> int:
    """How many submissions the account behind `headers` has stored."""
    return len(client.get("/submissions?limit=100", headers=headers).json()["items"])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store on a fresh SQLite file, with the account 'alice'."""
    fresh = Store(f"sqlite:///{tmp_path / 'judge.sqlite3'}")
    fresh.create_account("alice", "student")
    return fresh


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    """One throwaway PostgreSQL server for the session; each test makes its own database on it."""
    with TempPostgres() as server:
        yield server
