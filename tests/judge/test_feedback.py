"""Feedback on a Wrong Answer through the real sandbox: the probes, what they observe, and what they may not do.

Each submission here is a shipped correct solution with one change made in the
test, so that the change is the only thing wrong with it.
"""

import time

import numpy as np
import pytest

from judge.behaviour import probe_case
from judge.cases import make_case
from judge.grader import GradeOptions, grade, watchdog_seconds
from judge.problem import DEFAULT_PROBLEMS_DIR, discover, load_problem
from judge.verdicts import Verdict

CROSS = load_problem(DEFAULT_PROBLEMS_DIR / "cross-attention")
DECODER = load_problem(DEFAULT_PROBLEMS_DIR / "decoder-layer")
OPTIONS = GradeOptions(secret="feedback-test", timing=False)


def _correct(problem, name="numpy_float32.py"):
    return (problem.folder / "solutions" / "correct" / name).read_text(encoding="utf-8")


def _wrapped(problem, body):
    """The correct solution, with its entry point wrapped: `body` sees `_right(*args, **kwargs)` and `_calls`."""
    entry = problem.entry_point
    return (_correct(problem) + f"\n\n_right = {entry}\n_calls = [0]\n\n\ndef {entry}(*args, **kwargs):\n"
            "    _calls[0] += 1\n" + "".join(f"    {line}\n" for line in body.splitlines()))


def _verdicts(result):
    return [(c.name, c.verdict) for c in result.cases]


@pytest.mark.sandbox
@pytest.mark.parametrize("attack", ["hang", "exit", "garbage"])
def test_a_probe_never_changes_a_verdict(attack):
    """The probes run after the verdicts are fixed: a submission that misbehaves only when probed (it hangs,
    exits, or answers nonsense from its 10th call on) gets exactly the verdicts of one that does not."""
    cases = len(CROSS.cases)
    wrong = "return _right(*args, **kwargs) * 1.01"
    misbehave = {"hang": "while True:\n        pass", "exit": "import os\n    os._exit(3)",
                 "garbage": "return np.full((1, 2), np.nan)"}[attack]
    control = grade(CROSS, _wrapped(CROSS, wrong), OPTIONS)
    started = time.monotonic()
    probed = grade(CROSS, _wrapped(CROSS, f"if _calls[0] > {cases}:\n    {misbehave}\n{wrong}"), OPTIONS)
    assert control.verdict is Verdict.WRONG_ANSWER
    assert (probed.verdict, probed.score, _verdicts(probed)) == (control.verdict, control.score, _verdicts(control))
    assert probed.mistake is None
    assert probed.diagnosis, "a Wrong Answer without a hint must say what was observed"
    assert time.monotonic() - started < watchdog_seconds(CROSS)
    if attack in ("hang", "exit"):
        assert "did not answer the judge's probes" in probed.diagnosis[-1]


@pytest.mark.sandbox
def test_a_leaking_causal_mask_is_observed():
    """Each decoder position sees one position ahead: no catalogued mistake, but the causal probe sees it.
    Positive control: the correct solution gets no diagnosis at all."""
    source = _correct(DECODER)
    leaking = source.replace("np.triu(np.ones((t_dec, t_dec), dtype=bool), k=1)",
                             "np.triu(np.ones((t_dec, t_dec), dtype=bool), k=2)")
    assert leaking != source
    result = grade(DECODER, leaking, OPTIONS)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.mistake is None
    assert any("changes when only decoder position" in line and "causal mask" in line for line in result.diagnosis)
    control = grade(DECODER, source, OPTIONS)
    assert (control.verdict, control.diagnosis, control.mistake) == (Verdict.ACCEPTED, [], None)


@pytest.mark.sandbox
def test_a_batch_that_leaks_between_elements_is_named_by_its_detector():
    body = "out = _right(*args, **kwargs)\nreturn out + 0.1 * out.mean(axis=0, keepdims=True)"
    result = grade(CROSS, _wrapped(CROSS, body), OPTIONS)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.mistake == "batch-mixing"


@pytest.mark.sandbox
def test_randomness_is_named_nondeterministic():
    body = "out = _right(*args, **kwargs)\nreturn out * np.random.default_rng().uniform(0.9, 1.1, size=out.shape)"
    result = grade(CROSS, _wrapped(CROSS, body), OPTIONS)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.mistake == "nondeterministic"


@pytest.mark.sandbox
def test_rows_that_are_not_normalised_are_observed():
    """The last LayerNorm left out: an uncatalogued mistake whose rows no longer have mean 0 and variance 1."""
    body = "out = _right(*args, **kwargs)\nreturn out * 1.3 + 0.2"
    result = grade(CROSS, _wrapped(CROSS, body), OPTIONS)
    assert result.mistake is None
    assert any("not LayerNorm-normalised" in line for line in result.diagnosis)


@pytest.mark.sandbox
def test_a_nan_output_can_still_be_named():
    """An unstabilised softmax overflows to NaN exactly where its variant does: the NaN no longer hides the
    mistake (the outputs once stopped at the contract check)."""
    problem = load_problem(DEFAULT_PROBLEMS_DIR / "scaled-dot-product-attention")
    source = (problem.folder / "solutions" / "wrong" / "unstable_softmax.py").read_text(encoding="utf-8")
    result = grade(problem, source, OPTIONS)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.mistake == "no-max-subtraction"


@pytest.mark.parametrize("slug", sorted(discover(DEFAULT_PROBLEMS_DIR)))
def test_probes_draw_fresh_inputs_never_a_hidden_case(slug):
    problem = discover(DEFAULT_PROBLEMS_DIR)[slug]
    for spec in problem.cases:
        if spec.public:
            continue
        hidden = make_case(problem, spec, "secret")
        probe = probe_case(problem, spec, "secret")
        floats = [name for name, value in hidden.inputs.items()
                  if isinstance(value, np.ndarray) and value.dtype.kind == "f"]
        for name in floats:
            a, b = hidden.inputs[name], probe.inputs[name]
            assert a.shape != b.shape or not np.array_equal(a, b), f"{spec.name}: {name} reused"
