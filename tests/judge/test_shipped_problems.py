"""Every shipped problem passes `judge check` (references agree, cases cover what they must, every listed
mistake shows, every solution gets its declared verdict through the real sandbox)."""

import shutil

import pytest

from judge.check import check_problem
from judge.problem import DEFAULT_PROBLEMS_DIR, discover, load_problem

SHIPPED = sorted(discover(DEFAULT_PROBLEMS_DIR))
# the controls edit a copy of a folder with an in_float32 (the first such, whatever problems exist)
TEMPLATE = next(s for s, p in sorted(discover(DEFAULT_PROBLEMS_DIR).items()) if p.code.in_float32 is not None)


def _failing(report):
    return [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]


@pytest.mark.sandbox
@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_problem_passes_judge_check(slug):
    report = check_problem(load_problem(DEFAULT_PROBLEMS_DIR / slug))
    assert report.checks, "no checks ran"
    assert not _failing(report), _failing(report)


@pytest.mark.sandbox
def test_judge_check_fails_a_problem_whose_mistake_no_case_shows(tmp_path):
    """Positive control: the same check on a copy where one listed mistake changes nothing."""
    folder = tmp_path / TEMPLATE
    shutil.copytree(DEFAULT_PROBLEMS_DIR / TEMPLATE, folder)
    manifest = folder / "problem.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[mistakes]]\nid = "none"\n'
                        'hint = "Nothing wrong at all."\nrecipe = {}\n', encoding="utf-8")
    failing = _failing(check_problem(load_problem(folder)))
    assert failing == ["mistake none shows: no case tells it from the reference: add one that does"]


def test_judge_check_refuses_an_in_float32_that_is_not_the_reference_rounded(tmp_path):
    """in_float32 sizes the tolerance: one that computes something else would make every answer pass."""
    from judge.cases import make_cases
    from judge.check import _references_agree

    folder = tmp_path / TEMPLATE
    shutil.copytree(DEFAULT_PROBLEMS_DIR / TEMPLATE, folder, ignore=shutil.ignore_patterns("solutions"))
    reference = folder / "reference.py"
    reference.write_text(reference.read_text(encoding="utf-8") + "\n\n_first = in_float32\n\n\n"
                         "def in_float32(**inputs):\n    return 1.5 * _first(**inputs)\n", encoding="utf-8")
    problem = load_problem(folder)
    verdict = _references_agree(problem, make_cases(problem, "check"))
    assert not verdict.ok
    assert "reference.in_float32 on" in verdict.detail
    control = load_problem(DEFAULT_PROBLEMS_DIR / TEMPLATE)
    assert _references_agree(control, make_cases(control, "check")).ok
