"""The speed comparison: a phase after the verdict, like against like, frozen neighbours, honest statistics.

No assertion on absolute times. Where a guarantee rests on timing (the frozen
neighbour), the same attack is also run with the guarantee switched off, as a
positive control that shows the attack would work.
"""

import dataclasses
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from judge.bench import bench_problem
from judge.cli import main
from judge.grader import GradeOptions, grade
from judge.problem import DEFAULT_PROBLEMS_DIR, get_problem
from judge.runner import Child
from judge.timing import MIN_PAIRS, TimingOptions, time_submission, timing_inputs

SMALL = {"N": 2, "T_dec": 16, "T_enc": 24, "d": 32, "h": 4}
SUBMISSIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions"


def _problem(dims=SMALL):
    return dataclasses.replace(get_problem("cross-attention"), benchmark_dims=dims)


def _time(name: str, problem=None, cap: float = 10.0, code: str | None = None):
    source = code if code is not None else (SUBMISSIONS / f"{name}.py").read_text()
    return time_submission(problem or _problem(), source, TimingOptions(cap_s=cap))


def test_every_timed_call_gets_fresh_inputs():
    problem = _problem()
    rng = np.random.default_rng(0)
    first, second = timing_inputs(problem, SMALL, rng), timing_inputs(problem, SMALL, rng)
    for name, value in first.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
            assert not np.array_equal(value, second[name]), name


@pytest.mark.sandbox
def test_the_verdict_never_waits_for_the_comparison():
    code = (SUBMISSIONS / "honest.py").read_text()
    accepted = grade(_problem(), code, GradeOptions(timing=True))
    assert accepted.verdict == "Accepted"
    assert accepted.timing == {"status": "pending", "reason": "the speed comparison runs after the verdict"}
    assert grade(_problem(), code, GradeOptions(timing=False)).timing["status"] == "skipped"
    wrong = grade(_problem(), code.replace("1e-5", "1e-3"), GradeOptions(timing=True))
    assert wrong.verdict == "Wrong Answer"
    assert wrong.timing == {"status": "skipped", "reason": "only an Accepted submission is timed"}


@pytest.mark.sandbox
def test_an_honest_submission_gets_a_figure_from_at_least_five_pairs():
    before = os.sched_getaffinity(0)
    timing = _time("honest")
    assert os.sched_getaffinity(0) == before  # the judge's thread ran on the lane's core, then came back
    assert timing["status"] == "done", timing
    assert (timing["device"], timing["threads"]) == ("cpu", 1)
    assert timing["samples"] >= MIN_PAIRS
    assert timing["rechecked_outputs"] > timing["samples"]
    low, high = timing["speedup_ci95"]
    assert low <= timing["speedup"] <= high
    assert timing["indistinguishable"] is (low <= 1 <= high)
    assert timing["implausible"] is (timing["speedup"] > 10)
    assert timing["others_frozen"] is True
    assert any("reserved" in note or "no core" in note for note in timing["notes"])


@pytest.mark.sandbox
def test_stale_outputs_fail_the_comparison_and_get_no_figure():
    timing = _time("stale_outputs")
    assert timing["status"] == "failed"
    assert "did not match" in timing["reason"]
    assert "speedup" not in timing


@pytest.mark.sandbox
def test_memoising_and_patched_clocks_gain_nothing():
    for name in ("memoising", "patched_clock"):
        timing = _time(name)
        assert timing["status"] == "done", (name, timing)  # fresh inputs miss any cache; re-checks pass
        assert not timing["implausible"], name


@pytest.mark.sandbox
def test_a_call_too_slow_for_five_pairs_within_the_cap_is_told_so_and_it_is_not_a_failure():
    code = "import time\n" + (SUBMISSIONS / "honest.py").read_text().replace(
        "    n, t, d = y.shape", "    time.sleep(0.2)\n    n, t, d = y.shape")
    timing = _time("", cap=0.6, code=code)
    assert timing["status"] == "skipped"
    assert timing["reason"].startswith("too slow to time")


@pytest.mark.sandbox
def test_a_timed_call_that_crashes_fails_the_comparison():
    code = (SUBMISSIONS / "honest.py").read_text().replace(
        "    n, t, d = y.shape", "    if y.shape[1] == 16:\n        raise ValueError('no')\n    n, t, d = y.shape")
    timing = _time("", code=code)
    assert timing["status"] == "failed"
    assert "a timed call failed" in timing["reason"]


AFFINITY_PROBE = """
import os
try:
    os.sched_setaffinity(0, range(os.cpu_count() or 1))  # ask for every core
except OSError:
    pass
CORES = len(os.sched_getaffinity(0))
""" + (SUBMISSIONS / "honest.py").read_text().replace(
    "    return ln(x + g @ w2)", "    return ln(x + g @ w2) * (1.0 if CORES <= LIMIT else 2.0)")


@pytest.mark.sandbox
def test_a_submission_cannot_widen_its_cores_beyond_the_references():
    from judge.lane import reserve_for

    if not reserve_for(1):
        pytest.skip("a single-core host reserves no core")  # pragma: no cover - these machines have two
    timing = _time("", code=AFFINITY_PROBE.replace("LIMIT", "1"))
    assert timing["status"] == "done", timing  # it saw one core, whatever it asked for
    control = _time("", code=AFFINITY_PROBE.replace("LIMIT", "0"))
    assert control["status"] == "failed"  # the probe's output does depend on what it saw


@pytest.mark.sandbox
def test_a_process_that_spins_between_its_calls_cannot_slow_the_reference(monkeypatch):
    problem = get_problem("cross-attention")  # calls of ~0.1 s: long enough for a neighbour to steal from
    honest = _time("honest", problem)
    cheat = _time("spin_between_calls", problem)
    assert honest["status"] == cheat["status"] == "done", (honest, cheat)
    assert cheat["speedup"] <= honest["speedup"] * 1.25  # no better than 0.8x of the honest time
    monkeypatch.setattr(Child, "pause", lambda self: False)  # positive control: the same attack, nobody frozen
    unfrozen = _time("spin_between_calls", problem)
    assert unfrozen["others_frozen"] is False
    assert unfrozen["speedup"] > cheat["speedup"] * 1.25  # the attack works when its neighbour may run


def test_bench_rows_have_gflops_and_fraction_of_matmul():
    rows = bench_problem(_problem(), threads=1)
    assert {r.implementation for r in rows} == {"numpy-reference", "torch-reference"}
    assert len({json.dumps(r.shape, sort_keys=True) for r in rows}) == 3
    for row in rows:
        assert row.seconds > 0
        assert row.gflops > 0
        assert row.fraction_of_matmul > 0
        expected_gflops = get_problem("cross-attention").flops_at(row.shape) / 1e9 / row.seconds
        assert row.gflops == pytest.approx(expected_gflops)


def test_judge_bench_json_runs(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "cross-attention"
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", folder)
    manifest = folder / "problem.toml"
    manifest.write_text(manifest.read_text().replace(
        "dims = { N = 4, T_dec = 128, T_enc = 256, d = 512, h = 8 }",
        "dims = { N = 1, T_dec = 8, T_enc = 8, d = 16, h = 2 }"))
    monkeypatch.setenv("JUDGE_PROBLEMS_DIR", str(tmp_path))
    assert main(["bench", "cross-attention", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert set(rows[0]) == {"problem", "implementation", "device", "dtype", "threads", "shape", "seconds", "gflops",
                            "fraction_of_matmul"}


@pytest.mark.sandbox
def test_a_cuda_benchmark_on_a_host_without_a_gpu_is_timed_on_the_cpu_and_says_so(monkeypatch):
    monkeypatch.setattr("judge.timing.gpu_present", lambda: False)
    problem = dataclasses.replace(_problem(), benchmark_device="cuda")
    timing = _time("honest", problem)
    assert timing["status"] == "done"
    assert timing["device"] == "cpu"
    assert any("CUDA unavailable" in note for note in timing["notes"])


SHRINKER = """
import os, sys
try:
    os.ftruncate(int(sys.argv[4]), 0)  # the shared region's fd: shrinking it would fault the judge's reads
    SHRUNK = True
except OSError:
    SHRUNK = False
""" + (SUBMISSIONS / "honest.py").read_text().replace(
    "    return ln(x + g @ w2)", "    return ln(x + g @ w2) * (2.0 if SHRUNK else 1.0)")


@pytest.mark.sandbox
def test_a_submission_cannot_shrink_the_shared_region_under_the_judge():
    timing = _time("", code=SHRINKER)
    assert timing["status"] == "done", timing  # the judge lived, and the shrink was refused (else output x2)


LYING_OUTPUT = (SUBMISSIONS / "honest.py").read_text() + """
import sys
_harness = sys.modules["__main__"]
_harness._put_shared = lambda array, area: {"shared_out": {"dtype": "|O", "shape": [1 << 40]}}
"""


@pytest.mark.sandbox
def test_a_harness_patched_to_lie_about_its_output_fails_the_comparison_without_harming_the_judge():
    timing = _time("", code=LYING_OUTPUT)
    assert timing["status"] == "failed", timing
    assert "broke the protocol" in timing["reason"]
