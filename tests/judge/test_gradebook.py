"""Class reports and gradebook exports: rows merge by student, and what Gradescope, Canvas and Moodle read is right."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from judge import class_report, gradebook
from judge.scoring import Group, Scoring
from judge.students import Student
from judge.verdicts import CaseResult, GradeResult, Verdict

SCHEMA = json.loads((Path(__file__).with_name("gradescope_results.schema.json")).read_text(encoding="utf-8"))
SCORING = Scoring(groups=(Group("samples", 2, ("sample", "hidden-1")), Group("big", 3, ("hidden-2",))))


def _case(name: str, ok: bool, public: bool = False) -> CaseResult:
    return CaseResult(name=name, public=public, verdict=Verdict.ACCEPTED if ok else Verdict.WRONG_ANSWER,
                      message="" if ok else "3 of 48 elements off", shapes={}, dims={"N": 2})


def _result(*oks: bool, earned: float = 0.0) -> GradeResult:
    cases = [_case("sample", oks[0], public=True), _case("hidden-1", oks[1]), _case("hidden-2", oks[2])]
    verdict = Verdict.ACCEPTED if all(oks) else Verdict.WRONG_ANSWER
    return GradeResult("cross-attention", verdict, earned / 5, cases, "bubblewrap", points=earned, max_points=5.0,
                       hint=None if all(oks) else "The scores were not divided by sqrt(d_head).",
                       mistake=None if all(oks) else "no-scale")


def _facts(fingerprint: str = "abc123", problem: str = "cross-attention") -> class_report.RunFacts:
    return class_report.run_facts(problem, fingerprint, 5.0)


def _row(student: str, result: GradeResult | None, facts: class_report.RunFacts | None = None) -> dict:
    who = Student(id=student, path=f"class/{student}.py", problem="" if result else "nothing handed in")
    return class_report.row(who, result, facts or _facts())


def test_a_row_says_why_a_student_failed_and_why_there_is_no_speed():
    wrong = _row("bob", _result(True, False, True, earned=3))
    assert (wrong["verdict"], wrong["points"], wrong["first_failing_case"]) == ("Wrong Answer", 3, "hidden-1")
    assert wrong["reason"] == "3 of 48 elements off"
    assert wrong["mistake"] == "no-scale"
    assert wrong["speed"].startswith("none: ")
    missing = _row("zoe", None)
    assert (missing["verdict"], missing["points"], missing["reason"]) == ("Not Graded", 0.0, "nothing handed in")
    assert set(class_report.COLUMNS) <= set(wrong)
    assert set(class_report.COLUMNS) <= set(missing)


def test_the_summary_counts_verdicts_and_the_common_mistakes():
    rows = [_row("a", _result(True, True, True, earned=5)), _row("b", _result(False, False, False)),
            _row("c", _result(True, False, True, earned=3)), _row("d", None)]
    summary = class_report.summary(rows)
    assert summary["verdicts"] == {"Wrong Answer": 2, "Accepted": 1, "Not Graded": 1}
    assert summary["mean_score"] == pytest.approx((1 + 0 + 0.6 + 0) / 4, abs=1e-4)
    assert summary["common_mistakes"][0]["mistake"] == "no-scale"
    assert summary["common_mistakes"][0]["students"] == 2


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_regrading_some_students_keeps_everyone_elses_rows(tmp_path, suffix):
    path = tmp_path / f"class{suffix}"
    first = [_row(name, _result(False, False, False)) for name in ("alice", "bob", "carol")]
    class_report.write(path, class_report.merge(class_report.read_rows(path), first, path))
    regraded = [_row("bob", _result(True, True, True, earned=5)), _row("dan", None)]
    class_report.write(path, class_report.merge(class_report.read_rows(path), regraded, path))
    rows = class_report.read_rows(path)
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dan"]
    assert [r["verdict"] for r in rows] == ["Wrong Answer", "Accepted", "Wrong Answer", "Not Graded"]
    if suffix == ".json":
        assert json.loads(path.read_text())["summary"]["students"] == 4


@pytest.mark.parametrize(("facts", "message"), [
    (_facts(fingerprint="other"), "course secret"),
    (_facts(problem="encoder-layer"), "another problem"),
])
def test_a_run_on_another_secret_or_problem_is_not_merged(tmp_path, facts, message):
    path = tmp_path / "class.csv"
    class_report.write(path, [_row("alice", _result(True, True, True, earned=5))])
    with pytest.raises(class_report.ReportError, match=message):
        class_report.merge(class_report.read_rows(path), [_row("bob", None, facts)], path)


def test_a_file_that_is_not_a_class_report_is_never_overwritten(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("path,verdict\nold.py,Accepted\n")
    with pytest.raises(class_report.ReportError, match="not a class report"):
        class_report.read_rows(path)
    assert path.read_text() == "path,verdict\nold.py,Accepted\n"


def _gradescope(result: GradeResult | None, scoring: Scoring = SCORING, hidden: str = "visible") -> dict:
    return gradebook.gradescope_results(_row("submission", result), result, scoring, hidden)


@pytest.mark.parametrize("result", [_result(True, True, True, earned=5), _result(True, False, True, earned=3), None])
def test_results_json_validates_against_gradescopes_documented_structure(result):
    payload = _gradescope(result)
    jsonschema.validate(payload, SCHEMA)
    assert payload["score"] == (result.points if result else 0.0)
    tests = payload["tests"]
    assert sum(t["score"] for t in tests) == payload["score"]
    assert sum(t["max_score"] for t in tests) == (5.0 if result else 0)


def test_results_json_has_a_test_per_case_when_no_points_are_declared():
    payload = _gradescope(_result(True, False, True, earned=2), Scoring(), hidden="after_published")
    jsonschema.validate(payload, SCHEMA)
    assert [(t["name"], t["status"], t["visibility"]) for t in payload["tests"]] == [
        ("sample", "passed", "visible"), ("hidden-1", "failed", "after_published"),
        ("hidden-2", "passed", "after_published")]
    assert "likely mistake: The scores were not divided" in payload["output"]


@pytest.mark.parametrize("breakage", [
    {"visibility": "public"}, {"score": "10"}, {"tests": [{"name": "a", "status": "ok", "score": 1}]},
    {"score": None},
])
def test_the_schema_can_fail(breakage):
    """A positive control: the schema rejects what Gradescope documents as invalid."""
    payload = {**_gradescope(_result(True, True, True, earned=5)), **breakage}
    if breakage.get("score", 0) is None:
        del payload["score"]
        payload["tests"] = [{k: v for k, v in t.items() if k != "score"} for t in payload["tests"]]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, SCHEMA)


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_canvas_file_has_its_identity_columns_and_points_possible():
    rows = [_row("s001", _result(True, False, True, earned=3)), _row("s002", None)]
    rows[0]["name"] = "Alice A"
    lines = _csv_rows(gradebook.canvas_csv(rows, "Cross-attention (1234)", {"s001": {"section": "L1"}}))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Cross-attention (1234)"]
    assert lines[1][0].strip() == "Points Possible"
    assert lines[1][5] == "5"
    assert lines[2] == ["Alice A", "", "s001", "", "L1", "3"]
    assert lines[3][2:] == ["s002", "", "", "0"]


def test_the_moodle_file_has_an_id_and_a_number_on_every_row():
    rows = [_row("s001", _result(True, True, True, earned=5)), _row("s002", None)]
    lines = _csv_rows(gradebook.moodle_csv(rows, "Cross-attention"))
    assert lines == [["ID number", "Name", "Cross-attention"], ["s001", "", "5"], ["s002", "", "0"]]


def test_a_hand_in_named_like_a_formula_is_written_as_text(tmp_path):
    rows = [_row("=HYPERLINK(\"http://evil\")", None), _row("plain", None)]
    path = tmp_path / "class.csv"
    class_report.write(path, rows)
    students = [r["student"] for r in csv.DictReader(path.read_text().splitlines())]
    assert students == ["'=HYPERLINK(\"http://evil\")", "plain"]  # the control: a plain id is left alone
    merged = class_report.merge(class_report.read_rows(path), [_row("=HYPERLINK(\"http://evil\")", None)], path)
    assert len(merged) == 2  # re-grading that student replaces the row rather than adding a second one
    for text in (gradebook.canvas_csv(rows, "A", {}), gradebook.moodle_csv(rows, "A")):
        cells = [cell for line in _csv_rows(text)[1:] for cell in line]
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
