"""The comparison's statistics: intervals only from enough pairs, robust to one bad pair, honest words."""

import math

import pytest

from judge.speed_stats import Summary, describe, summarise, t975


def test_no_interval_from_fewer_than_three_pairs():
    for ratios in ([2.0], [2.0, 2.1]):
        summary = summarise(ratios)
        assert (summary.low, summary.high) == (None, None)
        assert summary.relative_half_width == math.inf
        assert not summary.indistinguishable
    assert summarise([2.0, 2.1, 1.9]).low is not None


def test_the_interval_brackets_the_figure_and_narrows_with_more_pairs():
    few = summarise([0.9, 1.1, 1.0, 1.05, 0.95])
    many = summarise([0.9, 1.1, 1.0, 1.05, 0.95] * 6)
    for summary in (few, many):
        assert summary.low is not None
        assert summary.high is not None
        assert summary.low <= summary.speedup <= summary.high
    assert many.relative_half_width < few.relative_half_width


def test_one_interrupted_pair_cannot_move_the_figure():
    steady = [2.0, 2.02, 1.98, 2.01, 1.99]
    hit = [*steady[:-1], 200.0]  # one pair whose submission call was preempted
    assert summarise(hit).speedup == pytest.approx(summarise(steady).speedup, rel=0.02)


def test_an_interval_containing_one_is_indistinguishable():
    summary = summarise([0.95, 1.05, 1.0, 0.97, 1.03])
    assert summary.indistinguishable
    assert describe(summary).startswith("indistinguishable from the reference")
    assert describe(Summary(2.0, 1.9, 2.1, 5)) == "2.00x faster than the reference"
    assert describe(Summary(0.5, 0.45, 0.55, 5)) == "2.00x slower than the reference"


def test_identical_ratios_give_a_zero_width_interval_not_an_error():
    summary = summarise([1.5] * 6)
    assert summary.low == pytest.approx(1.5)
    assert summary.high == pytest.approx(1.5)


def test_student_t_is_conservative_between_table_entries():
    assert t975(2) == pytest.approx(4.303)
    assert t975(11) >= t975(12)  # 11 rounds down to 10's larger value
    assert t975(0) == math.inf
    assert t975(1000) == 1.96
