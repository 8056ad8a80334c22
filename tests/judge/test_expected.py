"""The expected outputs and tolerances: correct float32 passes every case, known mistakes do not."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from judge.cases import make_case, make_cases
from judge.compare import allowed_error
from judge.expected import expected_for
from judge.outputs import as_outputs, compare_all
from judge.problem import discover

PROBLEMS = discover()
SECRET = "test"
EVERY_CASE = [
    pytest.param(slug, spec, id=f"{slug}/{spec.name}") for slug, problem in PROBLEMS.items() for spec in problem.cases
]


@functools.cache
def _expected(slug):
    """(case, Expected) for every case of a problem; computed once per session."""
    problem = PROBLEMS[slug]
    return [(case, expected_for(problem, case)) for case in make_cases(problem, SECRET)]


def _passes(slug, case, expected, out):
    problem = PROBLEMS[slug]
    return compare_all(problem, as_outputs(problem, out), expected.outputs, expected.tolerance,
                       case.pristine_inputs())[1]


def _variant_passes(slug, case, expected, recipe):
    with np.errstate(all="ignore"):  # float16 overflows on the large cases: that is a failure, not an error
        out = PROBLEMS[slug].variant(recipe, case.pristine_inputs())
    return _passes(slug, case, expected, out)


WITH_FLOAT32 = [p for p in EVERY_CASE if PROBLEMS[p.values[0]].code.in_float32 is not None]
LAYER_NORM = sorted(slug for slug, p in PROBLEMS.items() if p.coverage.near_constant_rows)


@pytest.mark.parametrize(("slug", "spec"), EVERY_CASE)
def test_expected_output_is_the_float64_reference_and_inputs_are_untouched(slug, spec):
    problem = PROBLEMS[slug]
    case = make_case(problem, spec, SECRET)
    before = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in case.inputs.items()}
    expected = expected_for(problem, case)
    for name, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(case.inputs[name], value)
    reference = as_outputs(problem, problem.reference_function()(**case.pristine_inputs()))
    for output, ours, theirs in zip(problem.outputs, expected.outputs, reference, strict=True):
        assert ours.dtype == (np.int64 if output.dtype == "int" else np.float64)
        np.testing.assert_array_equal(ours, theirs)
    assert expected.float32_error >= 0
    assert expected.tolerance == allowed_error(problem, spec, expected.float32_error)
    assert expected.tolerance < 1e-2, "a tolerance this loose would pass real mistakes"


@pytest.mark.parametrize(("slug", "spec"), WITH_FLOAT32)
def test_the_float32_arithmetic_passes(slug, spec):
    case, expected = next((c, e) for c, e in _expected(slug) if c.name == spec.name)
    result = _passes(slug, case, expected, PROBLEMS[slug].in_float32(case.pristine_inputs()))
    assert result.passed, f"{slug}/{spec.name}: {result.message}"


@pytest.mark.parametrize(("slug", "spec"), WITH_FLOAT32)
def test_the_float32_error_scale_covers_the_float32_arithmetic(slug, spec):
    case, expected = next((c, e) for c, e in _expected(slug) if c.name == spec.name)
    problem = PROBLEMS[slug]
    float32 = as_outputs(problem, problem.in_float32(case.pristine_inputs()))
    for output, ours, exact in zip(problem.outputs, float32, expected.outputs, strict=True):
        if output.compare != "exact":
            assert np.abs(ours - exact).max(initial=0.0) <= expected.float32_error


def test_expected_is_deterministic():
    problem = PROBLEMS["cross-attention"]
    case = make_cases(problem, SECRET)[0]
    first, second = expected_for(problem, case), expected_for(problem, case)
    np.testing.assert_array_equal(first.output, second.output)
    assert first.tolerance == second.tolerance


REJECTED = {
    "gelu_erf": {"activation": "gelu_erf"},
    "float16": {"dtype": "float16"},
    "layer_norm_eps": {"layer_norm_eps": 1e-3},
}


@pytest.mark.parametrize("slug", LAYER_NORM)
@pytest.mark.parametrize("mistake", list(REJECTED))
def test_near_miss_mistakes_fail_on_some_case(slug, mistake):
    """LayerNorm's near misses (the blocks' shared Recipe) are caught: the tolerance is not too loose."""
    failing = [case.name for case, expected in _expected(slug)
               if not _variant_passes(slug, case, expected, REJECTED[mistake]).passed]
    assert failing, f"{slug}: {mistake} passes every case; the tolerance is too loose"


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_every_manifest_mistake_fails_on_some_case(slug):
    problem = PROBLEMS[slug]
    assert problem.mistakes
    for mistake in problem.mistakes:
        for recipe in mistake.recipes() if mistake.detect is None else []:  # a detector has no recipe to run
            failing = [case.name for case, expected in _expected(slug)
                       if not _variant_passes(slug, case, expected, recipe).passed]
            assert failing, f"{slug}: mistake {mistake.id!r} ({recipe}) passes every case"
