"""Expected outputs are computed once per process and cannot be changed by whoever reads them."""

import dataclasses

import numpy as np
import pytest

from judge.cases import make_case
from judge.expected import expected_for
from judge.problem import get_problem


def test_the_same_case_is_computed_once_and_is_read_only():
    problem = get_problem("cross-attention")
    first = expected_for(problem, make_case(problem, problem.cases[2], "cache"))
    again = expected_for(problem, make_case(problem, problem.cases[2], "cache"))
    assert again is first
    with pytest.raises(ValueError, match="read-only"):
        first.output[0, 0, 0] = 1.0


def test_a_different_secret_or_tolerance_is_not_served_from_the_cache():
    problem = get_problem("cross-attention")
    base = expected_for(problem, make_case(problem, problem.cases[2], "cache"))
    other_secret = expected_for(problem, make_case(problem, problem.cases[2], "another"))
    assert not np.array_equal(other_secret.output, base.output)
    looser = dataclasses.replace(problem, tolerance=dataclasses.replace(problem.tolerance, safety=64.0))
    assert expected_for(looser, make_case(problem, problem.cases[2], "cache")).tolerance > base.tolerance
