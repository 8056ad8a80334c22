"""Finding a class's students: every hand-in gets exactly one row, and nothing is read that should not be."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from judge.notebook import read_notebook
from judge.students import (
    MAX_SOURCE_BYTES,
    RosterEntry,
    StudentsError,
    apply_roster,
    defines,
    find_students,
    read_roster,
)

ENTRY = "cross_attention_block"
GOOD = f"import numpy as np\n\ndef {ENTRY}(*args):\n    return args[0]\n"


def notebook(path: Path, *cells: str) -> Path:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("# my answer"),
                  *(nbformat.v4.new_code_cell(source) for source in cells)]
    nbformat.write(book, str(path))
    return path


def test_defines_finds_a_top_level_def_or_assignment_only():
    assert defines(GOOD, ENTRY)
    assert defines(f"def helper(): pass\n{ENTRY} = helper\n", ENTRY)
    assert defines(f"def {ENTRY}(:\n", ENTRY), "broken code that plainly tries is still the entry file"
    assert not defines(f"class A:\n    def {ENTRY}(self): pass\n", ENTRY)
    assert not defines(f"# def {ENTRY}(x): a comment\n", ENTRY)


def test_a_notebooks_code_cells_are_joined_in_order_without_ipython_lines(tmp_path):
    path = notebook(tmp_path / "nb.ipynb", "%matplotlib inline\n!pip install numpy\nimport numpy as np",
                    "files = !ls\nif True:\n    %time x = 1\n", GOOD, "%%bash\necho hi", "np.dot?")
    source = read_notebook(path)
    compile(source.code, "nb.py", "exec")  # what is left is Python
    assert source.cells == 5
    assert source.code.index("import numpy") < source.code.index(f"def {ENTRY}")
    for dropped in ("%matplotlib", "!pip", "!ls", "%time", "echo hi", "np.dot?"):
        assert dropped not in source.code
    assert len(source.dropped) == 6
    note = source.note()
    assert note is not None
    assert "6 IPython-only line(s)" in note
    assert "%matplotlib inline" in note


def test_a_notebook_without_magics_is_left_alone(tmp_path):
    source = read_notebook(notebook(tmp_path / "nb.ipynb", GOOD))
    assert GOOD.strip() in source.code
    assert source.note() is None
    assert "x != y" in read_notebook(notebook(tmp_path / "ne.ipynb", "x, y = 1, 2\nprint(x != y)")).code


def _class(tmp_path: Path) -> Path:
    """A class mixing every shape a hand-in takes, some broken."""
    root = tmp_path / "class"
    root.mkdir()
    (root / "alice.py").write_text(GOOD)
    notebook(root / "bob.ipynb", "%matplotlib inline", GOOD)
    (root / "carol").mkdir()
    (root / "carol" / "helpers.py").write_text("def helper(): return 1\n")
    (root / "carol" / "src").mkdir()
    (root / "carol" / "src" / "answer.py").write_text(GOOD)
    (root / "dave").mkdir()
    (root / "dave" / "a.py").write_text(GOOD)
    (root / "dave" / "b.ipynb").write_bytes(b"")
    notebook(root / "dave" / "b.ipynb", GOOD)
    (root / "erin").mkdir()  # nothing in it
    (root / "frank.txt").write_text("I forgot")
    (root / "grace.ipynb").write_text("{ not json")
    (root / "heidi").mkdir()
    (root / "heidi" / "only.py").write_text("def wrong_name(): pass\n")
    (root / ".DS_Store").write_text("")
    (root / "__pycache__").mkdir()
    return root


def test_every_entry_of_a_class_folder_is_one_student_with_code_or_a_reason(tmp_path):
    students, passed_over = find_students([str(_class(tmp_path))], [], ENTRY)
    by_id = {s.id: s for s in students}
    assert sorted(by_id) == ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    assert len(students) == len(by_id)
    for graded in ("alice", "bob", "carol", "heidi"):
        assert by_id[graded].code is not None, graded
        assert not by_id[graded].problem, graded
    assert by_id["carol"].entry_file.endswith("src/answer.py")  # found by the entry point's name, in a subfolder
    assert by_id["heidi"].entry_file.endswith("only.py")  # the only file: graded, so its verdict says what is missing
    assert "%matplotlib" not in (by_id["bob"].code or "")
    assert "IPython-only" in by_id["bob"].notes[0]
    assert "several files define cross_attention_block: a.py, b.ipynb" in by_id["dave"].problem
    assert by_id["erin"].problem == "no .py or .ipynb file in the folder"
    assert "not a .py or .ipynb file" in by_id["frank"].problem
    assert "not a readable Jupyter notebook" in by_id["grace"].problem
    assert {Path(p).name for p in passed_over} == {".DS_Store", "__pycache__"}
    for student in students:
        assert (student.code is None) == bool(student.problem)


def test_a_missing_path_or_an_empty_class_is_a_usage_error(tmp_path):
    with pytest.raises(StudentsError, match="no such file"):
        find_students([str(tmp_path / "nope")], [], ENTRY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StudentsError, match="empty class folder"):
        find_students([str(tmp_path / "empty")], [], ENTRY)


def test_a_student_folder_given_with_student_is_one_student(tmp_path):
    root = _class(tmp_path)
    students, _ = find_students([], [str(root / "carol"), str(root / "alice.py")], ENTRY)
    assert [(s.id, s.code is not None) for s in students] == [("carol", True), ("alice", True)]


def test_symbolic_links_are_never_followed(tmp_path):
    secret = tmp_path / "grader-only.txt"
    secret.write_text("the TA's private key\n")
    root = tmp_path / "class"
    (root / "mallory").mkdir(parents=True)
    (root / "mallory" / "solution.py").symlink_to(secret)
    (root / "oscar.py").symlink_to(secret)
    (root / "trent").mkdir()
    (root / "trent" / "answer.py").write_text(GOOD)
    (root / "trent" / "leak.py").symlink_to(secret)
    students, _ = find_students([str(root)], [], ENTRY)
    by_id = {s.id: s for s in students}
    assert by_id["oscar"].code is None
    assert "symbolic link" in by_id["oscar"].problem
    assert by_id["mallory"].code is None
    assert by_id["trent"].code == GOOD
    assert "leak.py" in by_id["trent"].notes[0]
    assert all("private key" not in (s.code or "") + s.problem for s in students)
    # positive control: the same file, not linked, is read
    (root / "mallory" / "solution.py").unlink()
    (root / "mallory" / "solution.py").write_text(secret.read_text())
    assert "private key" in (find_students([], [str(root / "mallory")], ENTRY)[0][0].code or "")


def test_oversized_sources_are_not_read(tmp_path):
    big = tmp_path / "big.py"
    big.write_text(GOOD + "#" * MAX_SOURCE_BYTES)
    student = find_students([], [str(big)], ENTRY)[0][0]
    assert student.code is None
    assert "KiB" in student.problem


def test_hand_ins_with_one_name_keep_one_row_each(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    (root / "alice.py").write_text(GOOD)
    notebook(root / "alice.ipynb", GOOD)
    students, _ = find_students([str(root)], [], ENTRY)
    assert len({s.id for s in students}) == 2


def test_a_roster_renames_students_and_lists_who_handed_in_nothing(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffSubmission,ID,Name,Section\nalice,s001,Alice A,L1\nzoe,s099,Zoe Z,L2\n")
    entries = read_roster(roster)
    assert entries[0] == RosterEntry("alice", "s001", "Alice A", {"section": "L1"})
    root = tmp_path / "class"
    root.mkdir()
    (root / "alice.py").write_text(GOOD)
    (root / "walkin.py").write_text(GOOD)
    students = apply_roster(find_students([str(root)], [], ENTRY)[0], entries)
    by_id = {s.id: s for s in students}
    assert by_id["s001"].name == "Alice A"
    assert by_id["s001"].code == GOOD
    assert by_id["s099"].problem == "nothing handed in"
    assert by_id["s099"].code is None
    assert "not on the roster" in by_id["walkin"].notes


@pytest.mark.parametrize(("text", "message"), [
    ("name,email\nalice,a@x\n", "needs a header"),
    ("submission,id\nalice,\n", "line 2"),
    ("submission,id\nalice,1\nalice,2\n", "listed twice"),
])
def test_a_bad_roster_is_refused_with_the_line(tmp_path, text, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    with pytest.raises(StudentsError, match=message):
        read_roster(roster)


def test_an_unreadable_file_gets_its_reason(tmp_path):
    if os.geteuid() == 0:  # root reads anything; a directory named .py is unreadable as a file for anyone
        path = tmp_path / "weird.py"
        path.mkdir()
        (path / "answer.py").write_text(GOOD)
        student = find_students([], [str(path)], ENTRY)[0][0]
        assert student.code == GOOD  # a folder named like a file is a folder: its file is found
        return
    path = tmp_path / "locked.py"
    path.write_text(GOOD)
    path.chmod(0)
    student = find_students([], [str(path)], ENTRY)[0][0]
    assert student.code is None
    assert "cannot read" in student.problem
