"""The `judge` command as a teaching assistant uses it: exit codes, JSON lines, reports."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from judge.cli import main
from judge.problem import DEFAULT_PROBLEMS_DIR, discover, load_problem

ROOT = Path(__file__).resolve().parents[2]
HONEST = ROOT / "benchmarks" / "submissions" / "honest.py"
WRONG = DEFAULT_PROBLEMS_DIR / "cross-attention" / "solutions" / "wrong" / "no_scale.py"


def test_list_prints_one_line_per_problem(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(discover())


def test_show_prints_statement_and_signature(capsys):
    assert main(["show", "encoder-layer"]) == 0
    out = capsys.readouterr().out
    assert "Post-LN encoder layer" in out
    assert "def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):" in out


@pytest.mark.parametrize(
    "argv",
    [["run", "no-such-problem", str(HONEST)], ["run", "cross-attention", "/no/such/file.py"], ["show", "nope"]],
)
def test_usage_errors_exit_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("judge: error:")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_usage_error_in_a_real_process_has_no_traceback():
    result = subprocess.run([sys.executable, "-m", "judge.cli", "run", "nope", str(HONEST)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown problem 'nope'" in result.stderr


@pytest.mark.sandbox
def test_run_one_file_json(capsys):
    assert main(["run", "cross-attention", str(HONEST), "--json", "--no-timing"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["path"] == str(HONEST)
    assert record["verdict"] == "Accepted"
    assert record["score"] == 1.0
    assert record["sandbox"] == "bubblewrap"
    assert record["hint"] is None
    assert {"name", "verdict", "max_abs_error", "max_rel_error", "message"} <= set(record["cases"][0])


@pytest.mark.sandbox
def test_run_a_folder_with_reports(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(HONEST, folder / "alice.py")
    shutil.copy(WRONG, folder / "bob.py")
    csv_report, json_report = tmp_path / "report.csv", tmp_path / "report.json"
    assert main(["run", "cross-attention", str(folder), "--no-timing", "--report", str(csv_report)]) == 1
    rows = list(csv.DictReader(csv_report.read_text().splitlines()))
    verdicts = [(Path(r["path"]).name, r["verdict"]) for r in rows]
    assert verdicts == [("alice.py", "Accepted"), ("bob.py", "Wrong Answer")]
    assert "sqrt(d_head)" in rows[1]["hint"]
    assert main(["run", "cross-attention", str(folder), "--no-timing", "--json", "--report", str(json_report)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [r["verdict"] for r in lines] == ["Accepted", "Wrong Answer"]
    assert [r["verdict"] for r in json.loads(json_report.read_text())["students"]] == ["Accepted", "Wrong Answer"]


@pytest.mark.sandbox
def test_run_readable_report_names_the_mistake(capsys):
    assert main(["run", "cross-attention", str(WRONG), "--no-timing"]) == 1
    out = capsys.readouterr().out
    assert "Wrong Answer" in out
    assert "likely mistake" in out
    assert "sqrt(d_head)" in out


def test_report_must_be_csv_or_json(capsys):
    assert main(["run", "cross-attention", str(HONEST), "--report", "out.txt"]) == 2


def test_new_scaffolds_a_loadable_problem(tmp_path, monkeypatch, capsys):
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "encoder-layer", tmp_path / "encoder-layer")
    monkeypatch.setenv("JUDGE_PROBLEMS_DIR", str(tmp_path))
    assert main(["new", "masked-attention", "--from", "encoder-layer"]) == 0
    problem = load_problem(tmp_path / "masked-attention")
    assert problem.title == "Masked attention"
    assert (tmp_path / "masked-attention" / "solutions" / "wrong").is_dir()
    assert main(["new", "masked-attention", "--from", "encoder-layer"]) == 2  # exists already
    assert main(["new", "Bad_Slug"]) == 2


@pytest.mark.sandbox
def test_check_fails_a_fresh_scaffold_until_solutions_exist(tmp_path, monkeypatch):
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", tmp_path / "cross-attention")
    monkeypatch.setenv("JUDGE_PROBLEMS_DIR", str(tmp_path))
    assert main(["new", "my-block"]) == 0
    assert main(["check", "my-block"]) == 1
    shutil.copy(HONEST, tmp_path / "my-block" / "solutions" / "correct" / "honest.py")
    shutil.copy(WRONG, tmp_path / "my-block" / "solutions" / "wrong" / "no_scale.py")
    assert main(["check", "my-block"]) == 0


def test_doctor_names_the_isolation(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "isolation: bubblewrap" in out
    assert "probe: ok" in out


def test_help_explains_every_command(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    for command in ("list", "show", "run", "check", "new", "doctor", "bench"):
        assert command in out


@pytest.mark.sandbox
def test_a_course_problem_outside_the_repository_is_scaffolded_listed_and_graded(tmp_path, monkeypatch, capsys):
    course = tmp_path / "course"
    (course / "draft").mkdir(parents=True)  # a half-written folder beside it
    monkeypatch.setenv("JUDGE_PROBLEMS_DIR", os.pathsep.join([str(DEFAULT_PROBLEMS_DIR), str(course)]))
    assert main(["new", "course-block", "--from", "cross-attention"]) == 0
    assert (course / "course-block" / "reference.py").is_file()  # into the course's directory, code and all
    capsys.readouterr()
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("course-block ") for line in lines)
    assert any(line.startswith("draft ") and "BROKEN (not served)" in line and "problem.toml: missing" in line
               for line in lines)
    assert main(["run", "course-block", str(HONEST), "--json", "--no-timing"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "Accepted"
    assert main(["run", "draft", str(HONEST)]) == 2  # a broken folder: one line saying why
    assert "problem.toml: missing" in capsys.readouterr().err


def test_reports_print_brackets_as_text_not_as_rich_markup():
    """A hint, a message or a student's own output with [brackets] is printed as written, never styled away."""
    from rich.console import Console

    from judge.report import render
    from judge.verdicts import CaseResult, GradeResult, Verdict

    case = CaseResult("sample", True, Verdict.WRONG_ANSWER, "worst at [bold]batch 0[/bold]", {}, {})
    result = GradeResult("p", Verdict.WRONG_ANSWER, 0.0, [case], "bubblewrap",
                         hint="embedding[tokens] * sqrt(d) was left out", stdout="[red]printed[/red]\n")
    console = Console(record=True, width=200)
    console.print(render(result))
    text = console.export_text()
    assert "embedding[tokens] * sqrt(d)" in text
    assert "[red]printed[/red]" in text
    assert "[bold]batch 0[/bold]" in text
