"""No sandbox is never a fallback: without bubblewrap the judge refuses to grade, unless an operator asked.

Before, a failed isolation probe (bubblewrap missing, or a probe starved by a fork
bomb in another slot) silently switched the sandbox off and graded as root. Now
the only way to run without bubblewrap is `JUDGE_UNSANDBOXED=true`, and even
then the submission never runs as root.
"""

import os
import re
from pathlib import Path

import pytest

from judge.cli import main
from judge.grader import GradeOptions, grade
from judge.problem import get_problem
from judge.verdicts import Verdict

HONEST = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions" / "honest.py"
REPORT_UID = "def cross_attention_block(*a):\n    import os\n    raise RuntimeError(f'uid={os.getuid()}')\n"


@pytest.fixture
def no_bubblewrap(monkeypatch):
    """bwrap cannot be found on PATH (the harness itself is started by absolute path)."""
    monkeypatch.setenv("PATH", "/nonexistent")


def test_without_bubblewrap_grading_is_an_internal_error_never_unsandboxed(no_bubblewrap):
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False))
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert any("bubblewrap (bwrap) is not installed" in d for d in result.details), result.details


def test_positive_control_with_bubblewrap_the_same_submission_is_accepted():
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False))
    assert result.verdict is Verdict.ACCEPTED, result.details
    assert result.sandbox == "bubblewrap"


def test_unsandboxed_only_when_asked_and_it_says_so(no_bubblewrap):
    result = grade(get_problem("cross-attention"), HONEST.read_text(), GradeOptions(timing=False, unsandboxed=True))
    assert result.verdict is Verdict.ACCEPTED, [c.message for c in result.cases]
    assert result.sandbox == "none"
    assert any("NOT SANDBOXED" in note for note in result.details)


@pytest.mark.skipif(os.geteuid() != 0, reason="the judge drops root only when it has it")
def test_unsandboxed_never_runs_as_root():
    result = grade(get_problem("cross-attention"), REPORT_UID, GradeOptions(timing=False, unsandboxed=True))
    message = result.cases[0].message  # a public case: the message is shown
    uid = re.search(r"uid=(\d+)", message)
    assert uid is not None, message
    assert int(uid.group(1)) != 0, message


def test_the_unsandboxed_child_still_cannot_import_the_judge():
    code = "def cross_attention_block(*a):\n    import reference.blocks\n    raise RuntimeError('imported')\n"
    result = grade(get_problem("cross-attention"), code, GradeOptions(timing=False, unsandboxed=True))
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "ModuleNotFoundError" in (result.traceback or "")


def test_doctor_exits_1_and_names_what_fails_without_bubblewrap(no_bubblewrap, capsys):
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "probe: FAILED: bubblewrap (bwrap) is not installed" in out


def test_doctor_positive_control_exits_0_here(capsys):
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "probe: ok" in out
