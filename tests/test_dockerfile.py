"""The service image's Dockerfile stays plain and lint-clean (no Docker engine needed)."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint is not None, "hadolint is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_the_service_as_non_root_with_bubblewrap() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "bubblewrap" in text
    user_lines = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines
    assert user_lines[-1].split()[1] not in ("root", "0")
    assert '"judge", "serve"' in text
