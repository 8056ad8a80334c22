"""The problem format beyond float arrays: tokens, masks, token lists, custom generation with a condition,
several outputs, exact integers, scalars and a folder's checker, graded end to end through the sandbox."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from judge.cases import CaseError, attention_mask, make_case, make_cases
from judge.grader import GradeOptions, grade
from judge.problem import ProblemError, load_problem
from judge.verdicts import Verdict

MANIFEST = '''
title = "Token statistics"
summary = "Counts, a masked sum and list lengths: every input and output kind at once."
entry_point = "stats"

[[outputs]]
name = "counts"
shape = ["N"]
axes = ["batch"]
dtype = "int"

[[outputs]]
name = "total"
shape = []
axes = []

[[arguments]]
name = "tokens"
kind = "tokens"
shape = ["N", "T"]
vocab = "V"

[[arguments]]
name = "mask"
kind = "mask"
shape = ["N", "T", "T"]
optional = true

[[arguments]]
name = "lists"
kind = "token_lists"
count = "N"
length = "L"
vocab = "V"

[[arguments]]
name = "weight"
kind = "float"
range = [0.5, 2.0]

[[arguments]]
name = "offset"
kind = "custom"

[tolerance]
dtype = "float64"
depth = ["T"]

[coverage]
batch = "N"
masks = ["causal", "random"]

[benchmark]
dims = { N = 4, T = 8, V = 5, L = 6 }

[[cases]]
name = "sample"
public = true
seed = 1
dims = { N = 1, T = 3, V = 5, L = 4 }
mask = "causal"

[[cases]]
name = "hidden-random"
seed = 2
dims = { N = 3, T = 7, V = 5, L = 6 }
mask = "random"

[[cases]]
name = "hidden-none"
seed = 3
dims = { N = 2, T = 5, V = 9, L = 2 }
params = { big = true }

[[mistakes]]
id = "off-by-one"
hint = "Each count is one too many."
recipe = { extra = 1 }
'''

REFERENCE = '''
import numpy as np


def reference(tokens, mask, lists, weight, offset):
    counts = np.array([len(row) for row in lists], dtype=np.int64) + (tokens == 0).sum(axis=1)
    blocked = 0 if mask is None else int(mask.sum())
    return counts, float(weight * blocked + offset)
'''

MISTAKES = '''
import numpy as np


def variant(params, inputs, dtype=None):
    counts = np.array([len(row) for row in inputs["lists"]], dtype=np.int64) + (inputs["tokens"] == 0).sum(axis=1)
    blocked = 0 if inputs["mask"] is None else int(inputs["mask"].sum())
    return counts + params.get("extra", 0), float(inputs["weight"] * blocked + inputs["offset"])
'''

GENERATE = '''
def generate(rng, dims, params):
    return {"offset": 100.0 + float(rng.integers(0, 50)) if params.get("big") else float(rng.integers(0, 50))}


def condition(tokens, mask, lists, weight, offset):
    # a drawn case is refused unless some row holds a zero token (so the counts differ by row)
    return None if (tokens == 0).any() else "no zero token"
'''

BASELINE = '''
import torch


def baseline(tokens, mask, lists, weight, offset):
    counts = torch.tensor([len(r) for r in lists]) + (torch.as_tensor(tokens) == 0).sum(dim=1)
    blocked = 0 if mask is None else int(torch.as_tensor(mask).sum())
    return counts, torch.tensor(weight * blocked + offset)
'''

CORRECT = '''
import numpy as np


def stats(tokens, mask=None, lists=None, weight=1.0, offset=0.0):
    counts = np.array([len(r) for r in lists]) + np.sum(tokens == 0, axis=1)
    blocked = 0 if mask is None else mask.sum()
    return counts.astype(np.int64), float(weight * blocked + offset)
'''


def _folder(root: Path, **extra: str) -> Path:
    folder = root / "token-stats"
    folder.mkdir(parents=True)
    files = {"problem.toml": MANIFEST, "reference.py": REFERENCE, "mistakes.py": MISTAKES,
             "generate.py": GENERATE, "baseline.py": BASELINE, "statement.md": "# Token statistics\n",
             "starter.py": "def stats(tokens, mask=None, lists=None, weight=1.0, offset=0.0):\n    ...\n", **extra}
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def problem(tmp_path):
    return load_problem(_folder(tmp_path))


def test_inputs_of_every_kind_are_generated_deterministically_and_meet_the_condition(problem):
    cases = make_cases(problem, "s")
    again = make_cases(problem, "s")
    for case, twin in zip(cases, again, strict=True):
        assert case.inputs["tokens"].dtype == np.int64
        assert (case.inputs["tokens"] == 0).any()
        assert case.inputs["tokens"].max() < case.spec.dims["V"]
        assert isinstance(case.inputs["lists"], list)
        assert len(case.inputs["lists"]) == case.spec.dims["N"]
        assert all(1 <= len(r) <= case.spec.dims["L"] for r in case.inputs["lists"])
        assert 0.5 <= case.inputs["weight"] < 2.0
        assert np.array_equal(case.inputs["tokens"], twin.inputs["tokens"])
        assert case.inputs["lists"] == twin.inputs[
            "lists"]
        assert case.inputs["offset"] == twin.inputs["offset"]
    assert cases[2].inputs["mask"] is None
    assert cases[2].inputs["offset"] >= 100
    assert cases[0].inputs["mask"].dtype == bool


@pytest.mark.parametrize("pattern", ["causal", "padding", "random"])
def test_every_mask_pattern_leaves_each_query_a_key(pattern):
    rng = np.random.default_rng(0)
    for shape in [(3, 1, 4, 6), (2, 5, 3), (4, 7, 7), (2, 6, 1)]:
        mask = attention_mask(rng, shape, pattern)
        assert mask.shape == shape
        assert mask.dtype == bool
        assert not mask.all(axis=-1).any()
    causal = attention_mask(rng, (1, 3, 3), "causal")[0]
    assert causal.tolist() == [[False, True, True], [False, False, True], [False, False, False]]


def test_a_condition_that_never_holds_is_a_named_case_error(tmp_path):
    folder = _folder(tmp_path, **{"generate.py": "def generate(rng, dims, params):\n    return {'offset': 1.0}\n\n\n"
                                                 "def condition(**inputs):\n    return 'never'\n"})
    problem = load_problem(folder)
    with pytest.raises(CaseError, match=r"met condition.*never"):
        make_case(problem, problem.cases[0], "s")
    result = grade(problem, CORRECT, GradeOptions(timing=False))
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert "cannot be generated" in result.details[-1]


def test_a_custom_argument_without_generate_is_refused_at_load(tmp_path):
    folder = _folder(tmp_path)
    (folder / "generate.py").unlink()
    with pytest.raises(ProblemError, match="custom"):
        load_problem(folder)


@pytest.mark.sandbox
def test_several_outputs_integers_and_scalars_grade_end_to_end(problem):
    accepted = grade(problem, CORRECT, GradeOptions(timing=False))
    assert accepted.verdict is Verdict.ACCEPTED, accepted.cases[0].message

    # a float array where integers are declared breaks the contract, named by output
    floats = grade(problem, CORRECT.replace("counts.astype(np.int64)", "counts.astype(np.float64)"),
                   GradeOptions(timing=False))
    assert floats.verdict is Verdict.WRONG_ANSWER
    assert "output 'counts'" in floats.cases[0].message
    assert "integers" in floats.cases[0].message

    # one integer off: exact comparison, the element named, and the known mistake recognised
    off = grade(problem, CORRECT.replace("counts.astype(np.int64)", "counts.astype(np.int64) + 1"),
                GradeOptions(timing=False))
    assert off.verdict is Verdict.WRONG_ANSWER
    assert off.mistake == "off-by-one"
    assert "output 'counts'" in off.cases[0].worst
    assert "batch 0" in off.cases[0].worst

    # one output instead of a tuple of two
    single = grade(problem, CORRECT.replace("return counts.astype(np.int64), ", "return "),
                   GradeOptions(timing=False))
    assert single.verdict is Verdict.WRONG_ANSWER
    assert "tuple of 2" in single.cases[0].message

    # the scalar compared with the tolerance: a tiny float error passes, a real one fails
    near = grade(problem, CORRECT.replace("+ offset)", "+ offset) * (1 + 4e-16)"), GradeOptions(timing=False))
    assert near.verdict is Verdict.ACCEPTED
    far = grade(problem, CORRECT.replace("+ offset)", "+ offset + 0.5)"), GradeOptions(timing=False))
    assert far.verdict is Verdict.WRONG_ANSWER
    assert "output 'total'" in far.cases[0].message
    assert far.mistake is None


@pytest.mark.sandbox
def test_a_folder_checker_decides_its_output(tmp_path):
    manifest = MANIFEST.replace('name = "total"\nshape = []\naxes = []', 'name = "total"\nshape = []\naxes = []\n'
                                'compare = "checker"')
    checker = ("def check(got, expected, inputs, tolerance):\n"
               "    # any value within 1 of the reference is fine for this output\n"
               "    return None if abs(float(got) - float(expected)) <= 1.0 else f'{float(got)} is not near'\n")
    problem = load_problem(_folder(tmp_path, **{"problem.toml": manifest, "checker.py": checker}))
    assert grade(problem, CORRECT.replace("+ offset)", "+ offset + 0.5)"),
                 GradeOptions(timing=False)).verdict is Verdict.ACCEPTED
    rejected = grade(problem, CORRECT.replace("+ offset)", "+ offset + 5)"), GradeOptions(timing=False))
    assert rejected.verdict is Verdict.WRONG_ANSWER
    assert "is not near" in rejected.cases[0].message


def test_a_checker_output_needs_checker_py(tmp_path):
    manifest = MANIFEST.replace('name = "total"\nshape = []\naxes = []', 'name = "total"\nshape = []\naxes = []\n'
                                'compare = "checker"')
    with pytest.raises(ProblemError, match=r"checker\.py"):
        load_problem(_folder(tmp_path, **{"problem.toml": manifest}))
