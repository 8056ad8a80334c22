"""The speed comparison's plumbing: fresh inputs, re-checks, flags. No assertion on absolute times."""

import dataclasses
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from judge.bench import bench_problem
from judge.cli import main
from judge.grader import GradeOptions, grade
from judge.problem import DEFAULT_PROBLEMS_DIR, get_problem
from judge.timing import speedup_interval, timing_inputs

SMALL = {"N": 2, "T_dec": 16, "T_enc": 24, "d": 32, "h": 4}
SUBMISSIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions"


def _small_problem():
    return dataclasses.replace(get_problem("cross-attention"), benchmark_dims=SMALL)


def _grade(name: str, problem=None, budget: float = 0.3):
    options = GradeOptions(secret="timing", timing=True, timing_budget_s=budget)
    return grade(problem or _small_problem(), (SUBMISSIONS / f"{name}.py").read_text(), options)


def test_every_timed_call_gets_fresh_inputs():
    problem = _small_problem()
    rng = np.random.default_rng(0)
    first, second = timing_inputs(problem, SMALL, rng), timing_inputs(problem, SMALL, rng)
    for name, value in first.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
            assert not np.array_equal(value, second[name]), name


@pytest.mark.sandbox
def test_timing_object_for_an_honest_submission():
    result = _grade("honest")
    timing = result.timing
    assert timing is not None
    assert timing["device"] == "cpu"
    assert timing["threads"] == 1
    assert timing["samples"] >= 5
    assert timing["rechecked_outputs"] >= timing["samples"]
    assert timing["submission_seconds"] > 0
    assert timing["reference_seconds"] > 0
    low, high = timing["speedup_ci95"]
    assert low <= timing["speedup"] <= high
    assert timing["implausible"] is (timing["speedup"] > 10)


@pytest.mark.sandbox
def test_stale_outputs_are_caught_by_the_rechecks():
    result = _grade("stale_outputs")
    assert result.verdict == "Accepted"  # its case outputs were right
    assert result.timing is not None
    assert result.timing.get("rejected") is True
    assert "speedup" not in result.timing


@pytest.mark.sandbox
def test_memoising_gains_nothing_on_fresh_inputs():
    timing = _grade("memoising").timing
    assert timing is not None
    assert "speedup" in timing  # every output was re-checked and right: fresh inputs miss its cache


@pytest.mark.sandbox
def test_a_patched_clock_does_not_reach_the_judges_measurement():
    timing = _grade("patched_clock").timing
    assert timing is not None
    assert timing["submission_seconds"] > 0
    assert not timing["implausible"]


@pytest.mark.sandbox
def test_an_implausible_speedup_is_flagged(monkeypatch):
    problem = _small_problem()
    slow_reference = problem.torch_function()

    def crawling(*args, **kwargs):
        time.sleep(0.05)  # makes any honest submission look more than 10x faster
        return slow_reference(*args, **kwargs)

    monkeypatch.setattr(type(problem), "torch_function", lambda self: crawling)
    timing = _grade("honest", problem, budget=0.5).timing
    assert timing is not None
    assert timing["speedup"] > 10
    assert timing["implausible"] is True


@pytest.mark.sandbox
def test_timing_is_skipped_when_not_asked_and_when_cases_fail():
    code = (SUBMISSIONS / "honest.py").read_text()
    assert grade(_small_problem(), code, GradeOptions(timing=False)).timing is None
    wrong = code.replace("1e-5", "1e-3")
    result = grade(_small_problem(), wrong, GradeOptions(timing=True))
    assert result.verdict == "Wrong Answer"
    assert result.timing is None


def test_speedup_interval_brackets_the_median():
    ratios = np.array([0.9, 1.0, 1.1, 1.05, 0.95, 1.0])
    low, high = speedup_interval(ratios)
    assert low <= np.median(ratios) <= high
    assert high - low < 0.3


def test_bench_rows_have_gflops_and_fraction_of_matmul():
    rows = bench_problem(_small_problem(), threads=1)
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
def test_a_short_budget_stops_early_and_says_so():
    # at the real benchmark shape a pair takes tens of milliseconds: 0.5 s holds the
    # two warm-up pairs and only a few timed ones
    code = (SUBMISSIONS / "honest.py").read_text()
    timed = grade(get_problem("cross-attention"), code, GradeOptions(secret="budget", timing_budget_s=0.5))
    timing = timed.timing
    assert timing is not None
    if "skipped" not in timing:
        assert timing["spent_s"] < 1.0
        assert timing["few_samples"] is (timing["samples"] < 5)


def test_relative_standard_error_of_zero_times_is_not_a_division_by_zero():
    from judge.timing import _relative_se

    assert _relative_se([0.0, 0.0, 0.0]) == float("inf")
    assert _relative_se([1.0]) == float("inf")
    assert _relative_se([1.0, 1.0, 1.0]) == 0.0
