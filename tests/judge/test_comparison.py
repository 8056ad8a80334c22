"""The comparison: a strict contract first, then the derived tolerance."""

import numpy as np
import pytest

from judge.cases import make_cases
from judge.compare import allowed_error, compare_outputs, rounding_bound
from judge.expected import expected_for
from judge.problem import discover

AXES = ("batch", "decoder position", "feature")
EXPECTED = np.random.default_rng(0).standard_normal((2, 3, 4))


@pytest.mark.parametrize(
    ("out", "needle"),
    [
        (EXPECTED.astype(object), "dtype is object"),
        (EXPECTED.astype(np.complex64), "dtype is complex64"),
        (EXPECTED > 0, "dtype is bool"),
        (EXPECTED[:, :, :1], "expected (2, 3, 4)"),
        (EXPECTED[0], "expected (2, 3, 4)"),
        (np.where(EXPECTED > 1, np.nan, EXPECTED), "non-finite"),
        (np.full_like(EXPECTED, np.inf), "non-finite"),
    ],
)
def test_contract_failures_are_explained(out, needle):
    result = compare_outputs(out, EXPECTED, 1e-5, AXES)
    assert not result.passed
    assert result.contract_error is not None
    assert needle in result.contract_error


def test_a_list_is_not_an_array():
    result = compare_outputs(EXPECTED.tolist(), EXPECTED, 1e-5, AXES)  # type: ignore[arg-type]
    assert not result.passed
    assert "got list" in (result.contract_error or "")


def test_within_tolerance_passes():
    out = (EXPECTED + 1e-7).astype(np.float32)
    result = compare_outputs(out, EXPECTED, 1e-5, AXES)
    assert result.passed
    assert result.max_abs_error < 1e-5


def test_failure_reports_errors_and_the_worst_element_in_problem_terms():
    out = EXPECTED.copy()
    out[1, 2, 3] += 0.5
    out[0, 0, 0] += 0.01
    result = compare_outputs(out, EXPECTED, 1e-5, AXES)
    assert not result.passed
    assert result.mismatches == 2
    assert result.max_abs_error == pytest.approx(0.5)
    assert result.max_rel_error == pytest.approx(0.5 / abs(EXPECTED[1, 2, 3]))
    assert result.worst.named == "batch 1, decoder position 2, feature 3"
    assert "2 of 24 elements off" in result.message


def test_tolerance_grows_with_depth_and_with_the_float32_error():
    problem = discover()["cross-attention"]
    small, wide = problem.cases[0], problem.cases[-1]
    assert rounding_bound(problem, wide) > rounding_bound(problem, small)
    assert allowed_error(problem, small, 1e-3) == pytest.approx(problem.tolerance.safety * 1e-3)
    bound = rounding_bound(problem, small)
    assert allowed_error(problem, small, 0.0) == pytest.approx(problem.tolerance.safety * bound)


@pytest.mark.parametrize("slug", ["cross-attention", "encoder-layer", "decoder-layer"])
def test_tolerance_accepts_float32_and_rejects_known_near_misses(slug):
    from reference.variants import Recipe

    problem = discover()[slug]
    variant = problem.variant_function()
    rejected = {"gelu_erf": False, "float16": False, "eps": False}
    for case in make_cases(problem, "tolerance"):
        expected = expected_for(problem, case)

        def passes(recipe, case=case, expected=expected):
            with np.errstate(all="ignore"):
                out = np.asarray(variant(**case.inputs, recipe=recipe))
            return compare_outputs(out, expected.output, expected.tolerance, problem.output_axes).passed

        assert passes(Recipe(dtype="float32")), case.name
        rejected["gelu_erf"] |= not passes(Recipe(activation="gelu_erf"))
        rejected["float16"] |= not passes(Recipe(dtype="float16"))
        rejected["eps"] |= not passes(Recipe(layer_norm_eps=1e-3))
    assert all(rejected.values()), rejected
