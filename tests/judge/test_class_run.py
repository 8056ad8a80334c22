"""A teaching assistant grades a class with one command, through the real sandbox, and re-grades it.

The class mixes what students hand in: .py files, notebooks with IPython lines,
per-student folders, and broken hand-ins. Every student gets exactly one row,
a parallel run agrees with a serial one, a second run gives the same scores on
the same hidden cases, and the Gradescope autograder writes a valid results.json.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from judge.cli import main
from judge.course_secret import fingerprint
from judge.problem import DEFAULT_PROBLEMS_DIR

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = DEFAULT_PROBLEMS_DIR / "cross-attention" / "solutions"
RIGHT = (SOLUTIONS / "correct" / "numpy_float32.py").read_text(encoding="utf-8")
SCHEMA = json.loads(Path(__file__).with_name("gradescope_results.schema.json").read_text(encoding="utf-8"))
STABLE = ("student", "verdict", "score", "points", "max_points", "first_failing_case", "reason", "hint", "mistake",
          "problem", "secret_fingerprint")


def _notebook(path: Path, *cells: str) -> None:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(book, str(path))


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    root = tmp_path / "class"
    root.mkdir()
    (root / "alice.py").write_text(RIGHT)
    shutil.copy(SOLUTIONS / "wrong" / "no_scale.py", root / "bob.py")
    _notebook(root / "carol.ipynb", "%matplotlib inline\n!pip install numpy", RIGHT, "%%time\nprint('tried')")
    (root / "dave").mkdir()
    (root / "dave" / "helpers.py").write_text("SCALE = 1\n")
    (root / "dave" / "answer.py").write_text(RIGHT)
    (root / "eve").mkdir()
    (root / "eve" / "v1.py").write_text(RIGHT)
    shutil.copy(SOLUTIONS / "wrong" / "relu.py", root / "eve" / "v2.py")
    (root / "frank.txt").write_text("forgot the file")
    (root / "grace.ipynb").write_text("{ broken")
    (root / "heidi.py").write_text("def cross_attention_block(:\n")
    shutil.copy(SOLUTIONS / "wrong" / "layer_norm_eps_1e_2.py", root / "ivan.py")
    return root


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _stable(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    return [tuple(str(r[k]) for k in STABLE) for r in rows]


def test_a_mixed_class_is_graded_in_parallel_with_one_row_per_student(klass, tmp_path, capsys):
    parallel, serial = tmp_path / "parallel.csv", tmp_path / "serial.csv"
    assert main(["run", "cross-attention", str(klass), "--no-timing", "-j", "2", "--report", str(parallel)]) == 1
    shown = capsys.readouterr().out
    rows = _rows(parallel)
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan"]
    verdicts = {r["student"]: r["verdict"] for r in rows}
    assert verdicts == {"alice": "Accepted", "bob": "Wrong Answer", "carol": "Accepted", "dave": "Accepted",
                        "eve": "Not Graded", "frank": "Not Graded", "grace": "Not Graded",
                        "heidi": "Compilation Error", "ivan": "Wrong Answer"}
    by = {r["student"]: r for r in rows}
    assert "IPython-only" in by["carol"]["notes"]
    assert by["dave"]["entry_file"].endswith("answer.py")
    assert "several files define" in by["eve"]["reason"]
    assert "SyntaxError" in by["heidi"]["reason"]
    assert by["heidi"]["first_failing_case"] == "sample-small"
    assert by["ivan"]["mistake"] == "layer-norm-eps"
    assert "0.01" in by["ivan"]["hint"]
    assert by["alice"]["speed"] == "none: --no-timing"
    assert all(r["judge_version"] and r["secret_fingerprint"] for r in rows)
    assert "class summary" in shown
    assert "layer-norm-eps" in shown

    assert main(["run", "cross-attention", str(klass), "--no-timing", "-j", "1", "--report", str(serial)]) == 1
    assert _stable(_rows(serial)) == _stable(rows), "a parallel run must give a serial run's verdicts"


def test_a_second_run_meets_the_same_hidden_cases_and_another_secret_does_not(klass, tmp_path, capsys):
    def hidden_errors(secret_file: Path) -> list[float]:
        assert main(["run", "cross-attention", "--student", str(klass / "ivan.py"), "--no-timing", "--json",
                     "--secret-file", str(secret_file)]) == 1
        record = json.loads(capsys.readouterr().out)
        assert record["secret_fingerprint"] == fingerprint(secret_file.read_text().strip())
        assert secret_file.read_text().strip() not in json.dumps(record)  # the secret itself is never reported
        return [c["max_abs_error"] for c in record["cases"] if not c["public"]]

    first = hidden_errors(tmp_path / "secret")
    assert oct((tmp_path / "secret").stat().st_mode & 0o777) == "0o600"
    assert hidden_errors(tmp_path / "secret") == first  # re-graded: the very same inputs, the very same errors
    assert hidden_errors(tmp_path / "other-secret") != first  # positive control: another secret, other inputs


def test_regrading_one_student_updates_only_their_row(klass, tmp_path, capsys):
    report = tmp_path / "class.json"
    assert main(["run", "cross-attention", str(klass), "--no-timing", "--report", str(report)]) == 1
    before = {r["student"]: r for r in json.loads(report.read_text())["students"]}
    (klass / "eve" / "v2.py").unlink()  # the TA sorts out eve's two files, then re-grades her alone
    assert main(["run", "cross-attention", "--student", str(klass / "eve"), "--no-timing", "--report",
                 str(report)]) == 0
    after = json.loads(report.read_text())
    rows = {r["student"]: r for r in after["students"]}
    assert sorted(rows) == sorted(before)
    assert rows["eve"]["verdict"] == "Accepted"
    assert rows["eve"]["result"]["verdict"] == "Accepted"
    assert all(rows[s] == before[s] for s in rows if s != "eve")
    assert after["summary"]["students"] == len(before)


def test_gradebook_files_for_canvas_and_moodle(klass, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,id,name,section\nalice,s1,Alice,L1\nbob,s2,Bob,L1\nzoe,s9,Zoe,L2\n")
    canvas, moodle = tmp_path / "canvas.csv", tmp_path / "moodle.csv"
    assert main(["run", "cross-attention", "--student", str(klass / "alice.py"), "--student", str(klass / "bob.py"),
                 "--no-timing", "--roster", str(roster), "--canvas", str(canvas), "--moodle", str(moodle),
                 "--assignment", "Cross-attention (77)"]) == 1
    lines = list(csv.reader(canvas.read_text().splitlines()))
    assert lines[0][-1] == "Cross-attention (77)"
    assert lines[1][-1] == "10"
    assert {tuple(line[2:]) for line in lines[2:]} == {("s1", "", "L1", "10"), ("s2", "", "L1", "0"),
                                                       ("s9", "", "L2", "0")}
    assert [line[0] for line in csv.reader(moodle.read_text().splitlines())] == ["ID number", "s1", "s2", "s9"]


def _make_autograder(tmp_path: Path, secret: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_autograder", ROOT / "scripts/gradescope/make_autograder.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    archive = tmp_path / "autograder.zip"
    module.build("cross-attention", secret, archive, allow_unsandboxed=False)
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder", "autograder.env", "secret"} <= set(names)
        assert "attention-judge/judge/cli.py" in names
        zf.extractall(autograder / "source")
    (autograder / "source" / "run_autograder").chmod(0o755)
    (autograder / "submission").mkdir()
    return autograder


def _run_autograder(autograder: Path, judge_bin: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(autograder), "JUDGE_BIN": str(judge_bin)}
    done = subprocess.run(["bash", str(autograder / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    return results


@pytest.fixture
def judge_bin(tmp_path: Path) -> Path:
    """The `judge` command as run_autograder calls it: this interpreter's judge, whatever is on PATH."""
    path = tmp_path / "judge"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m judge "$@"\n')
    path.chmod(0o755)
    return path


def test_the_gradescope_autograder_grades_a_notebook_into_a_valid_results_json(klass, tmp_path, judge_bin):
    secret = tmp_path / "course-secret"
    autograder = _make_autograder(tmp_path, secret)
    shutil.copy(klass / "carol.ipynb", autograder / "submission" / "solution.ipynb")
    results = _run_autograder(autograder, judge_bin)
    assert results["score"] == 10.0
    assert all(t["status"] == "passed" for t in results["tests"])
    assert results["extra_data"]["secret_fingerprint"] == fingerprint(secret.read_text().strip())

    (autograder / "submission" / "solution.ipynb").unlink()
    shutil.copy(klass / "ivan.py", autograder / "submission" / "solution.py")
    results = _run_autograder(autograder, judge_bin)
    assert 0 <= results["score"] < 10
    assert "likely mistake" in results["output"]


def test_the_autograder_says_so_when_the_sandbox_cannot_start(klass, tmp_path, judge_bin):
    autograder = _make_autograder(tmp_path, tmp_path / "course-secret")
    shutil.copy(klass / "alice.py", autograder / "submission" / "solution.py")
    broken = tmp_path / "judge-without-sandbox"
    broken.write_text(f'#!/bin/sh\n[ "$1" = doctor ] && exit 1\nexec "{judge_bin}" "$@"\n')
    broken.chmod(0o755)
    results = _run_autograder(autograder, broken)
    assert results["score"] == 0.0
    assert "could not start its sandbox" in results["output"]
