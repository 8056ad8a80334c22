"""Points: per case, per group (all or nothing), or one per case; declared in the manifest and explained."""

from __future__ import annotations

import shutil

import pytest

from judge.problem import DEFAULT_PROBLEMS_DIR, ProblemError, get_problem, load_problem
from judge.scoring import Group, Scoring, explain, points, possible

GROUPED = Scoring(case_points={"c": 1.5}, groups=(Group("samples", 2, ("a", "b")),))


def test_without_declared_points_every_case_is_one_point():
    assert points(Scoring(), {"a": True, "b": False, "c": True}) == (2.0, 3.0)
    assert possible(Scoring(), 3) == 3.0


@pytest.mark.parametrize(("accepted", "earned"), [
    ({"a": True, "b": True, "c": True}, 3.5),
    ({"a": True, "b": False, "c": True}, 1.5),  # half a group earns nothing
    ({"a": True, "b": True, "c": False}, 2.0),
    ({"a": False, "b": False, "c": False}, 0.0),
])
def test_a_group_earns_its_points_only_when_every_case_passes(accepted, earned):
    assert points(GROUPED, accepted) == (earned, 3.5)


def test_the_explanation_names_every_case_and_its_points():
    text = explain(GROUPED, ["a", "b", "c"], {"a"})
    assert "3.5 points in all" in text
    assert "samples: 2 points, all or nothing: `a` (public), `b` (hidden)" in text
    assert "`c` (hidden): 1.5 points" in text
    assert "one point" in explain(Scoring(), ["a"], set())


def test_cross_attention_declares_groups_and_its_statement_explains_them():
    problem = get_problem("cross-attention")
    assert problem.scoring.declared
    grouped = {c for g in problem.scoring.groups for c in g.cases}
    assert grouped == {c.name for c in problem.cases}
    statement = problem.statement()
    assert statement.startswith(problem.statement_path.read_text(encoding="utf-8").rstrip())
    assert "## Scoring" in statement
    assert f"{possible(problem.scoring, 0):g} points in all" in statement


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "cross-attention"
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _rewrite(folder, old, new):
    path = folder / "problem.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, "the manifest changed; update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fails(folder, fragment):
    with pytest.raises(ProblemError) as info:
        load_problem(folder)
    assert fragment in str(info.value), str(info.value)


def test_the_copy_loads(folder):
    assert load_problem(folder).scoring.declared


def test_a_case_left_without_points_is_refused(folder):
    _rewrite(folder, 'cases = ["odd-sizes", "many-heads", "wide"]', 'cases = ["odd-sizes", "many-heads"]')
    _fails(folder, "every case needs them")


def test_a_case_in_two_groups_is_refused(folder):
    _rewrite(folder, 'cases = ["odd-sizes", "many-heads", "wide"]', 'cases = ["odd-sizes", "many-heads", "wide", '
                                                                    '"sample-small"]')
    _fails(folder, "already has points")


def test_an_unknown_case_in_a_group_is_refused(folder):
    _rewrite(folder, '"odd-sizes", "many-heads"', '"odd-sizez", "many-heads"')
    _fails(folder, "unknown case 'odd-sizez'")


def test_negative_points_are_refused(folder):
    _rewrite(folder, "points = 3", "points = -3")
    _fails(folder, "0 or more")


def test_a_case_may_carry_its_own_points(folder):
    _rewrite(folder, 'cases = ["odd-sizes", "many-heads", "wide"]', 'cases = ["odd-sizes", "many-heads"]')
    _rewrite(folder, 'name = "wide"\n', 'name = "wide"\npoints = 5\n')
    problem = load_problem(folder)
    assert problem.scoring.case_points == {"wide": 5.0}
    assert possible(problem.scoring, len(problem.cases)) == 15.0
    assert "`wide` (hidden): 5 points" in problem.statement()
