"""Every test's judge state lives in a temporary folder: no test writes the course secret into the repository."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _judge_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUDGE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "judge-data"))
