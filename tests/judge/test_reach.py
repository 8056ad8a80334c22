"""The sandbox uid reaches what it needs even under a 0700 folder (a fresh machine: Python under /root).

The end-to-end tests copy the harness into a folder only root may enter, so the
condition that failed every grading on a fresh machine is reproduced wherever
the suite runs as root, whatever the interpreter's own location.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from judge import sandbox
from judge.grader import GradeOptions, grade
from judge.problem import get_problem
from judge.reach import ReachPlan, plan_reach
from judge.verdicts import Verdict

HONEST = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions" / "honest.py"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the judge drops to a sandbox uid only as root")


@pytest.fixture
def open_dir():
    """A folder anyone may enter (pytest's own tmp_path lies under a 0700 folder)."""
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        Path(folder).chmod(0o755)
        yield Path(folder)


def test_plan_covers_the_closed_folder_and_binds_the_path_back(open_dir):
    closed = open_dir / "closed"
    (closed / "inner").mkdir(parents=True)
    (closed / "inner" / "file.py").write_text("")
    closed.chmod(0o700)
    plan = plan_reach([closed / "inner" / "file.py", closed / "inner"], uid=61000)
    assert plan.covers == (str(closed),)
    assert plan.binds == (str(closed / "inner"),)  # the file is inside a bound folder: not bound twice


def test_plan_is_empty_when_everything_is_reachable(open_dir):
    (open_dir / "open").mkdir(mode=0o755)
    assert not plan_reach([open_dir / "open"], uid=61000)


@pytest.fixture
def closed_harness(tmp_path, monkeypatch):
    """The harness and wire.py copied into a 0700 folder, and bound from there."""
    closed = tmp_path / "home-0700"
    closed.mkdir()
    copies = []
    for file in sandbox.HARNESS_FILES:
        copies.append(closed / file.name)
        shutil.copy(file, copies[-1])
    closed.chmod(0o700)
    monkeypatch.setattr(sandbox, "HARNESS_FILES", tuple(copies))
    return closed


@pytest.mark.sandbox
@as_root
def test_grading_works_with_the_harness_under_a_0700_folder(closed_harness):
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False))
    assert result.verdict is Verdict.ACCEPTED, result.details


@pytest.mark.sandbox
@as_root
def test_positive_control_without_the_reach_plan_the_sandbox_cannot_start(closed_harness, monkeypatch):
    monkeypatch.setattr(sandbox, "plan_reach", lambda paths, uid: ReachPlan((), ()))
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False))
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert any("Permission denied" in d for d in result.details), result.details
