"""Each attack class of the hardening issue, through the real sandbox: its verdict, and an unharmed judge.

Every test asserts the verdict the attack must get, that nothing of the run is
left and that the next honest submission is Accepted (`assert_unharmed`).
Where an attack could fail for a reason other than the defence under test, a
positive control shows that the same check fails without that defence.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from judge import grader, sandbox
from judge.cases import make_cases
from judge.grader import GradeOptions, grade
from judge.probe import probe
from judge.verdicts import Verdict

from .conftest import REPO, fast_limits_problem, honest_source, load_fixture, sandbox_uid_processes

pytestmark = pytest.mark.sandbox

ACCEPTED, WA, RE = Verdict.ACCEPTED, Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR
TLE, MLE = Verdict.TIME_LIMIT_EXCEEDED, Verdict.MEMORY_LIMIT_EXCEEDED
needs_cgroups = pytest.mark.skipif(not sandbox.isolation().whole,
                                   reason="needs cgroup rights (root on a host with memory, pids and cpu cgroups)")


def _messages(run) -> list[str]:
    return [c.message for c in run.result.cases]


# --- the transport -------------------------------------------------------------------------------


def test_a_wedged_request_pipe_is_time_limit_exceeded_not_a_hang(hostile):
    started = time.monotonic()
    run = hostile("wedged_pipe")
    elapsed = time.monotonic() - started
    assert run.result.verdict is TLE, _messages(run)
    assert any("stopped reading its input" in m for m in _messages(run)), _messages(run)
    assert elapsed < 30, f"the grading took {elapsed:.0f} s"
    run.assert_unharmed()


@pytest.mark.parametrize("kind", ["npy_512_tib", "nested_brackets", "long_integer", "four_big_arrays",
                                  "one_big_array"])
def test_a_malformed_reply_is_the_submissions_runtime_error(hostile, kind):
    run = hostile("forged_reply", KIND=kind)
    assert run.result.verdict is RE, (kind, _messages(run), run.result.details)
    assert not any("internal error" in d for d in run.result.details), run.result.details
    run.assert_unharmed()


def test_a_nan_or_infinite_seconds_from_the_child_is_ignored(hostile):
    for kind in ("nan_seconds", "huge_seconds"):
        run = hostile("forged_reply", KIND=kind)
        assert run.result.verdict is ACCEPTED, (kind, _messages(run))
        assert all(c.seconds is None for c in run.result.cases), kind
        json.dumps(run.result.to_dict(), allow_nan=False)  # strict JSON: raises on NaN or infinity
        run.assert_unharmed()


def test_a_float128_infinity_is_a_wrong_answer_in_strict_json(hostile):
    run = hostile("forged_reply", KIND="float128_infinity")
    assert run.result.verdict is WA, _messages(run)
    assert "finite" in _messages(run)[0], _messages(run)
    json.dumps(run.result.to_dict(), allow_nan=False)  # strict JSON: raises on NaN or infinity
    run.assert_unharmed()


# --- memory and writable places ------------------------------------------------------------------


@needs_cgroups
def test_memory_spread_over_processes_is_memory_limit_exceeded(hostile):
    # a wall limit well past the kernel's reclaim-then-kill, which takes seconds on a busy machine
    problem = fast_limits_problem(memory_mb=1024, case_wall_s=10.0)
    run = hostile("memory_spread", problem=problem, CHILDREN="6", MB="250")  # 1.5 GiB in all, 250 MiB each
    assert run.result.verdict is MLE, _messages(run)
    assert "memory ceiling of 1024 MiB" in run.result.cases[0].message
    run.assert_unharmed()


@needs_cgroups
def test_positive_control_memory_under_the_ceiling_is_accepted(hostile):
    problem = fast_limits_problem(memory_mb=1024, case_wall_s=10.0)
    run = hostile("memory_spread", problem=problem, CHILDREN="2", MB="150")
    assert run.result.verdict is ACCEPTED, _messages(run)
    run.assert_unharmed()


def test_nothing_outside_tmp_is_writable_and_tmp_is_capped(hostile):
    site = sysconfig.get_paths()["purelib"]
    run = hostile("fill_everywhere", SITE=site)
    assert run.result.verdict is RE
    wrote = re.search(r"wrote (\{.*\})", run.result.cases[0].message)
    assert wrote is not None, run.result.cases[0].message
    report = eval(wrote.group(1))  # a dict of ints the test's own fixture formatted
    assert report["dev"] == report["dev_shm"] == report["site"] == 0, report
    assert 0 < report["tmp"] <= fast_limits_problem().limits.tmp_mb << 20, report  # /tmp works, up to its size
    run.assert_unharmed()


def test_no_nested_user_namespace(hostile):
    run = hostile("nested_namespace")
    assert "nested namespace reached stage 0" in run.result.cases[0].message, run.result.cases[0].message
    run.assert_unharmed()


@pytest.mark.skipif(os.geteuid() != 0, reason="the control unshares a user namespace outside the sandbox")
def test_positive_control_the_nested_namespace_fixture_succeeds_outside_the_sandbox():
    source = load_fixture("nested_namespace", MARKER="control")
    namespace: dict = {}
    exec(compile(source, "nested_namespace.py", "exec"), namespace)
    with pytest.raises(RuntimeError, match="stage 2"):
        namespace["cross_attention_block"]()


# --- hidden cases stay hidden --------------------------------------------------------------------


def test_hidden_inputs_never_reach_the_student(hostile):
    problem = fast_limits_problem()
    secret = "hidden-leak-test"
    run_result = grade(problem, load_fixture("print_inputs"), GradeOptions(timing=False, secret=secret))
    cases = make_cases(problem, secret)
    shown = json.dumps(run_result.to_dict())
    for case in cases:
        values = [repr(float(v)) for v in np.asarray(case.inputs["decoder_x"]).ravel()[:8]]
        codes = [str(abs(int(float(v) * 1e6))) for v in np.asarray(case.inputs["decoder_x"]).ravel()[:4]]
        leaked = [v for v in values + codes if v in shown and len(v) > 4]
        if case.spec.public:  # positive control: a public case's printed values are shown
            assert leaked, f"public case {case.name}: its printed values should be shown"
        else:
            assert not leaked, f"hidden case {case.name} leaked {leaked[:3]}"
    hidden = [c for c in run_result.cases if not c.public]
    assert hidden
    assert all("withheld" in c.message for c in hidden), [c.message for c in hidden]
    assert all("line " in c.message for c in hidden), "the line of the error is kept"


# --- the watchdog --------------------------------------------------------------------------------


def test_a_grading_never_outlives_its_watchdog(monkeypatch):
    monkeypatch.setattr(grader, "watchdog_seconds", lambda *a, **k: 2.0)
    code = "import time\n" + honest_source() + "\n_real = cross_attention_block\n" + textwrap.dedent("""
        def cross_attention_block(*args):
            time.sleep(0.6)
            return _real(*args)
        """)
    started = time.monotonic()
    result = grade(fast_limits_problem(), code, GradeOptions(timing=False))
    assert time.monotonic() - started < 6.0
    assert result.verdict is TLE, [c.message for c in result.cases]
    assert any("watchdog of 2 s" in c.message for c in result.cases)
    assert result.cases[0].verdict is ACCEPTED  # what finished before the watchdog keeps its verdict


# --- gradings side by side: other instances, fork bombs and CPU hogs -----------------------------

_INSTANCE = textwrap.dedent("""
    import dataclasses, sys
    from judge import sandbox
    from judge.grader import GradeOptions, grade
    from judge.problem import get_problem
    if sys.argv[2] == "no-cgroups":
        sandbox.cgroup_tree = lambda: "switched off by the test"
    problem = get_problem("cross-attention")
    problem = dataclasses.replace(problem, limits=dataclasses.replace(problem.limits, case_wall_s=30.0, cpu_s=600))
    print(grade(problem, open(sys.argv[1]).read(), GradeOptions(timing=False)).verdict, flush=True)
""")


def _other_instance(tmp_path: Path, source: str, cgroups: bool = True) -> subprocess.Popen[str]:
    """Another judge instance (its own process), grading `source`."""
    path = tmp_path / f"other-{time.monotonic_ns()}.py"
    path.write_text(source)
    return subprocess.Popen([sys.executable, "-c", _INSTANCE, str(path), "cgroups" if cgroups else "no-cgroups"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_sandbox_processes(count: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while (found := len(sandbox_uid_processes())) < count:
        assert time.monotonic() < deadline, f"only {found} sandbox processes appeared"
        time.sleep(0.05)
    return found


def _stop(other: subprocess.Popen[str]) -> None:
    other.kill()
    other.communicate(timeout=30)  # reaps it and closes its pipes
    deadline = time.monotonic() + 10
    while sandbox_uid_processes() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.skipif(os.geteuid() != 0, reason="uids are leased only when the judge is root")
def test_a_fork_bomb_in_another_instance_starves_neither_the_probe_nor_a_grading(tmp_path):
    bomb = _other_instance(tmp_path, load_fixture("fork_bomb_hold"))
    try:
        _wait_for_sandbox_processes(32)  # positive control: the bomb is really running
        result = probe()
        assert result.ok, result.line
        honest = grade(fast_limits_problem(), honest_source(), GradeOptions(timing=False))
        assert honest.verdict is ACCEPTED, [c.message for c in honest.cases]
        assert honest.sandbox == "bubblewrap"
        assert len(sandbox_uid_processes()) >= 32, "the bomb ended before the check: nothing was shown"
    finally:
        _stop(bomb)


def _victim(work: int) -> str:
    return load_fixture("cpu_victim", WORK=str(work))


def _calibrate_work(seconds: float) -> int:
    """Iterations of the victim's loop that take about `seconds` here, now."""
    started, n = time.perf_counter(), 2_000_000
    total = 0
    for i in range(n):
        total += i * i
    return int(n * seconds / (time.perf_counter() - started))


def _grade_victim(code: str) -> grader.GradeResult:
    problem = fast_limits_problem(case_wall_s=1.5, cpu_s=60)
    return grade(dataclasses.replace(problem, cases=problem.cases[:4]), code, GradeOptions(timing=False))


@needs_cgroups
def test_a_cpu_hog_beside_a_cpu_bound_victim_does_not_change_its_verdict(tmp_path, monkeypatch):
    victim = _victim(_calibrate_work(0.35))
    alone = _grade_victim(victim)
    assert alone.verdict is ACCEPTED, [c.message for c in alone.cases]
    hog_source = load_fixture("cpu_hog", LOOPS="12", SLEEP="2.0")

    hog = _other_instance(tmp_path, hog_source)
    try:
        _wait_for_sandbox_processes(12)
        beside = _grade_victim(victim)
    finally:
        _stop(hog)
    assert beside.verdict is ACCEPTED, [c.message for c in beside.cases]

    # positive control: the same pair without cgroups on either side, and the victim times out
    monkeypatch.setattr(sandbox, "cgroup_tree", lambda: "switched off by the test")
    hog = _other_instance(tmp_path, hog_source, cgroups=False)
    try:
        _wait_for_sandbox_processes(12)
        starved = _grade_victim(victim)
    finally:
        _stop(hog)
    assert starved.verdict is TLE, ("without cgroups the hog should starve the victim: the test cannot fail",
                                    [c.message for c in starved.cases])
