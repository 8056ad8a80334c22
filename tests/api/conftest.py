"""Fixtures for the service: an app on a temporary data directory, tokens, a correct submission."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
CORRECT = (ROOT / "problems" / "cross-attention" / "solutions" / "correct" / "numpy_float32.py").read_text()


def make_settings(tmp_path: Path, **overrides: object) -> ServiceSettings:
    values: dict[str, object] = {"data_dir": tmp_path / "data", "workers": 1, "secret": "api-tests",
                                 "wait_timeout_s": 60.0, **overrides}
    return ServiceSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        yield client


def token(client: TestClient, name: str, role: str = "student") -> dict[str, str]:
    created = client.app.state.store.create_account(name, role)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {created}"}
