"""The matcher on its own, in-process: families with fitted values, pairs, and the hints it must not give.

Each "submission" here is a variant's output rounded to float32 (as a student's
float32 code would return it), so no sandbox is needed: the grader's path
through the sandbox is covered by test_shipped_problems and test_feedback.
"""

import numpy as np
import pytest

from judge.cases import make_cases
from judge.expected import expected_for
from judge.hints import WrongOutput, likely_mistake
from judge.outputs import as_outputs, compare_all
from judge.problem import DEFAULT_PROBLEMS_DIR, load_problem

CROSS = load_problem(DEFAULT_PROBLEMS_DIR / "cross-attention")


def _wrongs(problem, compute):
    """The wrong outputs that `compute(inputs) -> output` gives on the problem's cases, as the grader keeps them."""
    wrongs = []
    for case in make_cases(problem, "hints-test"):
        expected = expected_for(problem, case)
        got = [o.astype(np.float32) for o in as_outputs(problem, compute(case.pristine_inputs()))]
        if not compare_all(problem, got, expected.outputs, expected.tolerance, case.pristine_inputs())[1].passed:
            wrongs.append(WrongOutput(case, got, expected.outputs, expected.tolerance))
    assert wrongs, "the submission under test should be wrong somewhere"
    return wrongs


def _variant(problem, **recipe):
    return lambda inputs: problem.variant(recipe, inputs)


@pytest.mark.parametrize("eps", [3e-2, 1e-3, 2e-4])
def test_layer_norm_eps_is_fitted_and_named(eps):
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, layer_norm_eps=eps)))
    assert found is not None
    assert found.id == "layer-norm-eps"
    assert eps / 1.5 < found.values["layer_norm_eps"] < eps * 1.5
    assert f"{found.values['layer_norm_eps']:.1g}" in found.hint


# eps added to the biased std differs from eps inside the root only beside a tiny variance: a larger eps shows it
@pytest.mark.parametrize(("form", "eps"), [("unbiased", 1e-5), ("std-eps", 1e-2), ("unbiased-std-eps", 1e-6)])
def test_each_layer_norm_form_is_named(form, eps):
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, layer_norm_form=form, layer_norm_eps=eps)))
    assert found is not None
    assert found.id == "layer-norm-unbiased"
    # with eps at 1e-6 the unbiased forms are one another to float32 precision: only ddof must be right
    assert found.values["layer_norm_form"].startswith("unbiased") == form.startswith("unbiased")


def test_pre_ln_without_a_final_layer_norm_is_pre_ln():
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, pre_ln=True, final_layer_norm=False)))
    assert found is not None
    assert (found.id, found.values) == ("pre-ln", {"final_layer_norm": False})


def test_two_mistakes_together_are_named_as_a_pair():
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, pre_ln=True, activation="relu")))
    assert found is not None
    assert found.id == "pre-ln+relu"
    assert "pre-LN" in found.hint
    assert "ReLU" in found.hint


def test_the_shared_weight_is_named():
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, shared_weight="v=k")))
    assert found is not None
    assert (found.id, found.values) == ("shared-weights", {"shared_weight": "v=k"})
    assert "v=k" in found.hint


def _layer_norm_over_time(inputs):
    """An uncatalogued mistake: every LayerNorm normalises over the time axis instead of the features."""
    from reference import variants

    original = variants.layer_norm
    def over_time(x, eps):
        return original(np.swapaxes(x, -1, -2), eps).swapaxes(-1, -2)
    variants.layer_norm = over_time
    try:
        return variants.cross_attention_block(**inputs)
    finally:
        variants.layer_norm = original


@pytest.mark.parametrize("compute", [
    _layer_norm_over_time,
    lambda inputs: 1.01 * CROSS.reference_function()(**inputs),  # right but for a 1% scale
    lambda inputs: CROSS.reference_function()(**inputs) + 0.05,  # right but for an offset
], ids=["layer-norm-over-time", "scaled", "offset"])
def test_an_uncatalogued_mistake_gets_no_hint(compute):
    """No family or pair may stretch to explain a mistake that is not in the catalogue (float16 pairs once did)."""
    assert likely_mistake(CROSS, _wrongs(CROSS, compute)) is None


def test_a_low_precision_pair_does_not_explain_everything():
    """Regression: float16's allowance was its gap from the reference, so float16 plus any big mistake matched any
    output near that mistake. Positive control first: the pair itself is named."""
    found = likely_mistake(CROSS, _wrongs(CROSS, _variant(CROSS, pre_ln=True, dtype="float16")))
    assert found is not None
    assert found.id == "pre-ln+float16"
    near = lambda inputs: CROSS.variant({"pre_ln": True}, inputs) * 1.05  # noqa: E731 - pre-LN, then off by 5%
    assert likely_mistake(CROSS, _wrongs(CROSS, near)) is None


def test_detectors_name_their_mistake_only_when_they_fired():
    wrongs = _wrongs(CROSS, lambda inputs: 1.01 * CROSS.reference_function()(**inputs))
    assert likely_mistake(CROSS, wrongs, {"repeat"}).id == "nondeterministic"
    assert likely_mistake(CROSS, wrongs, {"batch"}).id == "batch-mixing"
    assert likely_mistake(CROSS, wrongs, set()) is None
