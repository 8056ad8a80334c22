"""The comparison: a strict output contract, then an elementwise tolerance reported in problem terms."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from judge.compare import allowed_error, compare_outputs, name_index, rounding_bound
from judge.problem import CaseSpec, Tolerance, discover

AXES = ("batch", "decoder position", "feature")
TOL = 1e-5
PROBLEMS = discover()


@pytest.fixture
def expected():
    return np.random.default_rng(0).standard_normal((2, 4, 5))


# ---- the contract ---------------------------------------------------------------------------------------------------


def _broken(expected, how):
    good = expected.astype(np.float32)
    if how == "list":
        return good.tolist()
    if how == "tuple":
        return tuple(good.tolist())
    if how == "scalar":
        return np.float32(1.0)
    if how == "matrix-subclass":
        return np.ma.masked_array(good)
    if how == "object":
        return good.astype(object)
    if how == "complex":
        return good.astype(np.complex64)
    if how == "bool":
        return good > 0
    if how == "string":
        return good.astype(str)
    if how == "transposed":
        return np.ascontiguousarray(good.transpose(0, 2, 1))
    if how == "broadcastable":
        return good[:1]  # (1, T, d) broadcasts against (N, T, d)
    if how == "missing-batch":
        return good[0]  # (T, d) broadcasts too
    if how == "extra-axis":
        return good[None]
    if how == "flat":
        return good.ravel()
    bad = good.copy()
    bad[1, 2, 3] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[how]
    return bad


CONTRACT = {
    "list": ["NumPy array", "list"],
    "tuple": ["NumPy array", "tuple"],
    "scalar": ["NumPy array", "float32"],
    "matrix-subclass": ["NumPy array", "MaskedArray"],
    "object": ["dtype", "object"],
    "complex": ["dtype", "complex64"],
    "bool": ["dtype", "bool"],
    "string": ["dtype"],
    "transposed": ["shape", "(2, 5, 4)", "(2, 4, 5)"],
    "broadcastable": ["shape", "(1, 4, 5)", "(2, 4, 5)", "no broadcasting"],
    "missing-batch": ["shape", "(4, 5)", "(2, 4, 5)"],
    "extra-axis": ["shape", "(1, 2, 4, 5)"],
    "flat": ["shape", "(40,)"],
    "nan": ["1 non-finite", "NaN"],
    "inf": ["1 non-finite", "inf"],
    "-inf": ["1 non-finite"],
}


@pytest.mark.parametrize("how", list(CONTRACT))
def test_contract_failures_are_named(expected, how):
    result = compare_outputs(_broken(expected, how), expected, TOL, AXES)
    assert result.passed is False
    assert result.contract_error is not None
    for fragment in CONTRACT[how]:
        assert fragment in result.contract_error, f"{fragment!r} not in {result.contract_error!r}"
    assert result.message == result.contract_error
    assert result.worst is None
    assert result.total == expected.size


def test_non_finite_values_are_counted(expected):
    bad = expected.astype(np.float32)
    bad[0, 0, :3] = np.nan
    bad[1, 3, 4] = np.inf
    result = compare_outputs(bad, expected, TOL, AXES)
    assert not result.passed
    assert "4 non-finite" in result.contract_error


def test_a_nan_is_not_excused_by_a_huge_tolerance(expected):
    result = compare_outputs(_broken(expected, "nan"), expected, 1e30, AXES)
    assert not result.passed


# ---- within and outside the tolerance -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_an_output_within_tolerance_passes(expected, dtype):
    rng = np.random.default_rng(1)
    tol = 1e-3 if dtype is np.float16 else TOL
    out = (expected + 0.5 * tol * rng.uniform(-1, 1, expected.shape)).astype(dtype)
    result = compare_outputs(out, expected, tol, AXES)
    assert result.passed, result.message
    assert result.contract_error is None
    assert result.mismatches == 0
    assert result.total == expected.size
    assert result.max_abs_error <= tol * (1 + np.abs(expected).max())
    assert "within tolerance" in result.message


def test_an_exact_float64_output_has_zero_error(expected):
    result = compare_outputs(expected.copy(), expected, TOL, AXES)
    assert result.passed
    assert result.max_abs_error == 0.0
    assert result.max_rel_error == 0.0


def test_the_tolerance_is_relative_to_the_magnitude_of_the_reference():
    expected = np.array([[[0.0, 100.0]]])
    # |error| <= tol * (1 + |ref|): 50 tol is fine at 100, 2 tol is not at 0
    assert compare_outputs(expected + np.array([[[0.0, 50 * TOL]]]), expected, TOL, AXES).passed
    assert compare_outputs(expected + np.array([[[0.9 * TOL, 0.0]]]), expected, TOL, AXES).passed
    result = compare_outputs(expected + np.array([[[2 * TOL, 0.0]]]), expected, TOL, AXES)
    assert not result.passed
    assert result.mismatches == 1
    assert not compare_outputs(expected + np.array([[[0.0, 102 * TOL]]]), expected, TOL, AXES).passed


def test_an_output_outside_tolerance_reports_count_errors_and_worst_element(expected):
    out = expected.copy()
    out[1, 2, 3] += 0.5
    out[0, 0, 0] -= 0.01
    out[0, 1, 1] += 0.1 * TOL  # within tolerance: not counted
    result = compare_outputs(out.astype(np.float32), expected, TOL, AXES)
    got = out.astype(np.float32).astype(np.float64)
    assert not result.passed
    assert result.contract_error is None
    assert result.mismatches == 2
    assert result.total == 40
    assert result.tolerance == TOL
    assert result.max_abs_error == pytest.approx(np.abs(got - expected).max(), rel=1e-12)
    assert result.max_abs_error == pytest.approx(0.5, rel=1e-6)
    rel = np.abs(got - expected) / np.abs(expected)
    assert result.max_rel_error == pytest.approx(rel.max(), rel=1e-12)
    assert result.worst is not None
    assert result.worst.index == (1, 2, 3)
    assert result.worst.named == "batch 1, decoder position 2, feature 3"
    assert result.worst.expected == expected[1, 2, 3]
    assert result.worst.got == pytest.approx(expected[1, 2, 3] + 0.5, rel=1e-6)
    assert result.message == "2 of 40 elements off; worst at batch 1, decoder position 2, feature 3"


def test_the_worst_element_uses_the_problems_axis_names():
    for problem in PROBLEMS.values():
        shape = tuple(range(2, 2 + len(problem.outputs[0].shape)))
        expected = np.zeros(shape)
        out = expected.copy()
        out[(1,) * len(shape)] = 1.0
        result = compare_outputs(out, expected, TOL, problem.outputs[0].axes)
        named = ", ".join(f"{axis} 1" for axis in problem.outputs[0].axes) or "the value"  # a scalar's
        assert result.worst.named == named


def test_name_index():
    assert name_index((1, 4, 17), AXES) == "batch 1, decoder position 4, feature 17"
    with pytest.raises(ValueError):
        name_index((1, 4), AXES)


def test_an_empty_output_of_the_right_shape_passes():
    expected = np.zeros((0, 3, 4))
    result = compare_outputs(np.zeros((0, 3, 4), dtype=np.float32), expected, TOL, AXES)
    assert result.passed
    assert result.total == 0


# ---- the allowed error ----------------------------------------------------------------------------------------------


def _spec(**dims):
    base = {"N": 2, "T_dec": 5, "T_enc": 7, "T": 7, "d": 16, "d_ff": 32, "h": 2}
    return CaseSpec(name="c", dims={**base, **dims}, seed=1)


def _case_spec(problem, **dims):
    """A spec at the sizes of the problem's first case, with `dims` changed."""
    return CaseSpec(name="c", dims={**problem.cases[0].dims, **dims}, seed=1)


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_allowed_error_is_the_rounding_bound_when_float32_is_exact(slug):
    problem = PROBLEMS[slug]
    spec = _case_spec(problem)
    depth = sum(spec.dims[d] for d in problem.tolerance.depth)
    bound = float(np.finfo(np.dtype(problem.tolerance.dtype)).eps) * math.sqrt(depth)
    assert rounding_bound(problem, spec) == pytest.approx(bound, rel=1e-12)
    assert allowed_error(problem, spec, 0.0) == pytest.approx(problem.tolerance.safety * bound, rel=1e-12)


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_allowed_error_grows_with_the_float32_error(slug):
    problem = PROBLEMS[slug]
    spec = _case_spec(problem)
    floor = allowed_error(problem, spec, 0.0)
    errors = [0.0, 1e-9, 1e-7, 1e-6, 1e-5, 1e-4, 1e-2]
    allowed = [allowed_error(problem, spec, e) for e in errors]
    assert allowed == sorted(allowed)
    assert allowed[-1] > allowed[-2] > allowed[-3] > floor
    assert allowed_error(problem, spec, 1e-4) == pytest.approx(problem.tolerance.safety * 1e-4)


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_allowed_error_grows_with_depth(slug):
    problem = PROBLEMS[slug]
    small = _case_spec(problem)
    large = _case_spec(problem, **{d: 4 * small.dims[d] for d in problem.tolerance.depth})
    assert allowed_error(problem, large, 0.0) > allowed_error(problem, small, 0.0)
    assert rounding_bound(problem, large) == pytest.approx(2 * rounding_bound(problem, small), rel=1e-12)
    more = [d for d in small.dims if d not in problem.tolerance.depth][:2] or list(problem.tolerance.depth)
    deeper = replace(problem, tolerance=replace(problem.tolerance, depth=(*problem.tolerance.depth, *more)))
    assert allowed_error(deeper, small, 0.0) > allowed_error(problem, small, 0.0)


def test_allowed_error_follows_the_dtype_and_safety():
    problem = PROBLEMS["cross-attention"]
    spec = _spec()
    as64 = replace(problem, tolerance=Tolerance(dtype="float64", depth=problem.tolerance.depth))
    assert allowed_error(as64, spec, 0.0) < 1e-8 * allowed_error(problem, spec, 0.0)
    doubled = replace(problem, tolerance=replace(problem.tolerance, safety=2 * problem.tolerance.safety))
    assert allowed_error(doubled, spec, 1e-5) == pytest.approx(2 * allowed_error(problem, spec, 1e-5))
