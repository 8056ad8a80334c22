"""Without bubblewrap the judge still grades, and says so loudly in every result and in `judge doctor`."""

from pathlib import Path

import pytest

from judge import grader, sandbox
from judge.cli import main
from judge.grader import GradeOptions, grade
from judge.problem import get_problem
from judge.verdicts import Verdict

HONEST = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions" / "honest.py"


@pytest.fixture
def no_bubblewrap(monkeypatch):
    missing = sandbox.Isolation("none", "bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    monkeypatch.setattr(sandbox, "detect_isolation", lambda: missing)
    monkeypatch.setattr(grader, "detect_isolation", lambda: missing)
    return missing


def test_grading_without_bubblewrap_says_so_in_the_result(no_bubblewrap):
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False))
    assert result.verdict is Verdict.ACCEPTED
    assert result.sandbox == "none"
    assert any("NOT SANDBOXED" in note for note in result.details)


def test_the_unsandboxed_child_still_cannot_import_the_judge(no_bubblewrap):
    code = "def cross_attention_block(*a):\n    import reference.blocks\n    raise RuntimeError('imported')\n"
    result = grade(get_problem("cross-attention"), code, GradeOptions(timing=False))
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "ModuleNotFoundError" in (result.traceback or "")


def test_doctor_exits_1_without_isolation(monkeypatch, no_bubblewrap, capsys):
    from judge import cli

    monkeypatch.setattr(cli, "detect_isolation", lambda: no_bubblewrap)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "NONE" in out
    assert "apt-get install bubblewrap" in out
