"""The hints on wrong submissions the matcher was not built beside (benchmarks/submissions/feedback*/).

Each file declares its mistake (`Mistake: <id>`, `a+b`, or `none` for one
outside the catalogue). What must hold for every file: a Wrong Answer; no hint
on a `none` file; a hint, when given, names what the file declares; and a
Wrong Answer without a hint carries a diagnosis. Over the whole set, at least
80% of the catalogued mistakes are named right. `benchmarks/feedback.py`
prints the same counts per problem.
"""

from pathlib import Path

import pytest

from judge.check import declared_mistake, same_mistake
from judge.grader import GradeOptions, grade
from judge.problem import DEFAULT_PROBLEMS_DIR, load_problem
from judge.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[2] / "benchmarks" / "submissions"
HELD_OUT = sorted(p for folder in ("feedback", "feedback-2") for p in (ROOT / folder).glob("*/*.py"))
NAMED_RIGHT_AT_LEAST = 0.8
_RESULTS: dict[Path, object] = {}


def _graded(path):
    if path not in _RESULTS:
        problem = load_problem(DEFAULT_PROBLEMS_DIR / path.parent.name)
        _RESULTS[path] = grade(problem, path.read_text(encoding="utf-8"),
                               GradeOptions(secret="held-out-test", timing=False))
    return _RESULTS[path]


def test_the_held_out_set_is_there():
    assert len(HELD_OUT) >= 80
    assert all(declared_mistake(p.read_text(encoding="utf-8")) for p in HELD_OUT), "a file declares no mistake"


@pytest.mark.sandbox
@pytest.mark.parametrize("path", HELD_OUT, ids=[f"{p.parent.parent.name}/{p.parent.name}/{p.stem}" for p in HELD_OUT])
def test_a_hint_never_misleads_and_a_silent_wrong_answer_says_what_was_observed(path):
    result = _graded(path)
    declared = declared_mistake(path.read_text(encoding="utf-8"))
    assert result.verdict is Verdict.WRONG_ANSWER
    if result.mistake is not None:
        assert same_mistake(declared, result.mistake), f"declared {declared}, named {result.mistake}"
    else:
        assert result.diagnosis, "a Wrong Answer without a hint must carry a diagnosis"


@pytest.mark.sandbox
def test_most_catalogued_mistakes_are_named_right():
    catalogued = [p for p in HELD_OUT if declared_mistake(p.read_text(encoding="utf-8")) != "none"]
    right = [p for p in catalogued if same_mistake(declared_mistake(p.read_text(encoding="utf-8")),
                                                   _graded(p).mistake)]
    missed = sorted(f"{p.parent.name}/{p.name}" for p in set(catalogued) - set(right))
    assert len(right) >= NAMED_RIGHT_AT_LEAST * len(catalogued), f"{len(right)} of {len(catalogued)}; missed {missed}"
