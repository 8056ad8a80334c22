"""Who handed in what: a class's paths turned into one `Student` each, and nobody dropped on the way.

A student is a `.py` file, an `.ipynb` notebook, or a folder. In a folder, the
file to grade is the one that defines the problem's entry point; when several
do, or none can be read, the student is still listed, with the reason, and not
graded. Symbolic links are never followed: a link in a hand-in could otherwise
make the judge read, and quote back in an error, a file of the grader's machine.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from judge.notebook import NotebookError, read_notebook

SOURCE_SUFFIXES = (".py", ".ipynb")
MAX_SOURCE_BYTES = 1 << 20  # a source file bigger than this is not a hand-written solution
MAX_NOTEBOOK_BYTES = 64 << 20  # notebooks carry their outputs (plots): read up to this, keep the code only
_IGNORED = ("__pycache__", ".ipynb_checkpoints", "__MACOSX")  # tool droppings, not students


class StudentsError(ValueError):
    """A path or roster the teaching assistant gave that cannot be used; one line, exit code 2."""


@dataclass
class Student:
    """One row of the class: the code to grade, or why there is none."""

    id: str  # the roster's id, else the file's stem or the folder's name
    path: str  # what was handed in, as found
    name: str = ""  # the roster's display name, when there is one
    entry_file: str = ""  # the file graded, inside a folder; the path itself for a file
    code: str | None = None  # None: not graded, see `problem`
    problem: str = ""  # why this student cannot be graded
    notes: list[str] = field(default_factory=list)  # what the judge did to the hand-in (notebook lines dropped, ...)


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name not in _IGNORED


def _read_source(path: Path) -> tuple[str | None, str, list[str]]:
    """(code, reason when None, notes) of one `.py` or `.ipynb` file."""
    if path.is_symlink():
        return None, f"{path.name} is a symbolic link: not followed", []
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}", []
    if path.suffix == ".ipynb":
        if size > MAX_NOTEBOOK_BYTES:
            limit = MAX_NOTEBOOK_BYTES >> 20
            return None, f"{path.name} is {size >> 20} MiB: over the {limit} MiB read for a notebook", []
        try:
            notebook = read_notebook(path)
        except NotebookError as exc:
            return None, f"{path.name}: {exc}", []
        note = notebook.note()
        if len(notebook.code.encode()) > MAX_SOURCE_BYTES:
            return None, f"{path.name}: its code cells hold over {MAX_SOURCE_BYTES >> 10} KiB", []
        return notebook.code, "", [note] if note else []
    if size > MAX_SOURCE_BYTES:
        return None, f"{path.name} is {size >> 10} KiB: over the {MAX_SOURCE_BYTES >> 10} KiB a source may be", []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}", []
    try:
        return raw.decode("utf-8"), "", []
    except UnicodeDecodeError:  # graded all the same: the judge reports the Compilation Error, which teaches more
        return raw.decode("utf-8", errors="replace"), "", [f"{path.name} is not valid UTF-8; bad bytes replaced"]


def defines(code: str, entry_point: str) -> bool:
    """Whether `code` defines `entry_point` at top level (a def, or an assignment such as `f = other`)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):  # broken code still counts if it plainly tries: it gets its verdict
        return re.search(rf"^(async\s+)?def\s+{re.escape(entry_point)}\s*\(", code, re.MULTILINE) is not None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == entry_point:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == entry_point for t in node.targets):
            return True
    return False


def _sources_in(folder: Path) -> tuple[list[Path], list[str]]:
    """The `.py` and `.ipynb` files under `folder`, sorted, and the symbolic links passed over."""
    found: list[Path] = []
    links: list[str] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if not _visible(entry):
                continue
            if entry.is_symlink():
                links.append(str(entry.relative_to(folder)))
            elif entry.is_dir():
                stack.append(entry)
            elif entry.suffix in SOURCE_SUFFIXES:
                found.append(entry)
    return sorted(found), links


def student_from_folder(folder: Path, entry_point: str, student_id: str | None = None) -> Student:
    """One student's folder: the file that defines the entry point is graded."""
    student = Student(id=student_id or folder.name, path=str(folder))
    files, links = _sources_in(folder)
    if links:
        student.notes.append(f"symbolic links not followed: {', '.join(links[:5])}")
    if not files:
        student.problem = "no .py or .ipynb file in the folder"
        return student
    readable: list[tuple[Path, str, list[str]]] = []
    unreadable: list[str] = []
    for path in files:
        code, why, notes = _read_source(path)
        if code is None:
            unreadable.append(why)
        else:
            readable.append((path, code, notes))
    defining = [item for item in readable if defines(item[1], entry_point)]
    if len(defining) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p, _, _ in defining)
        student.problem = f"several files define {entry_point}: {names}; keep one, then grade again"
        return student
    if not defining and len(readable) == 1 and not unreadable:
        defining = readable  # the only file: graded, so that the verdict says what is missing
    if not defining:
        listed = ", ".join(str(p.relative_to(folder)) for p in files[:5])
        student.problem = f"no file defines {entry_point} (looked in {listed})"
        if unreadable:
            student.problem += f"; unreadable: {'; '.join(unreadable)}"
        return student
    path, code, notes = defining[0]
    student.entry_file, student.code = str(path), code
    student.notes.extend(notes)
    return student


def student_from_file(path: Path, student_id: str | None = None) -> Student:
    """One student's single file."""
    student = Student(id=student_id or path.stem, path=str(path), entry_file=str(path))
    if path.suffix not in SOURCE_SUFFIXES:
        student.problem = f"{path.name} is not a .py or .ipynb file"
        return student
    code, why, notes = _read_source(path)
    student.code, student.problem, student.notes = code, why, notes
    return student


def _student(path: Path, entry_point: str) -> Student:
    if path.is_symlink():
        return Student(id=path.stem if path.suffix in SOURCE_SUFFIXES else path.name, path=str(path),
                       problem=f"{path.name} is a symbolic link: not followed")
    if path.is_dir():
        return student_from_folder(path, entry_point)
    return student_from_file(path)


def _given(raw: str) -> Path:
    path = Path(raw)
    if not path.exists() and not path.is_symlink():
        raise StudentsError(f"{path}: no such file or folder")
    return path


def find_students(classes: Sequence[str], singles: Sequence[str], entry_point: str) -> tuple[list[Student], list[str]]:
    """Students from class folders (each entry in one is a student) and from single students' paths.

    Returns the students, and notes on what was passed over as not a student
    (hidden files, caches). A path that does not exist raises StudentsError.
    """
    students: list[Student] = []
    passed_over: list[str] = []
    for raw in classes:
        path = _given(raw)
        if not path.is_dir() or path.is_symlink():
            students.append(_student(path, entry_point))  # a file given among the class paths is one student
            continue
        entries = sorted(path.iterdir())
        passed_over.extend(str(e) for e in entries if not _visible(e))
        visible = [e for e in entries if _visible(e)]
        if not visible:
            raise StudentsError(f"{path}: an empty class folder (no files or folders in it)")
        students.extend(_student(e, entry_point) for e in visible)
    for raw in singles:
        path = _given(raw)
        students.append(_student(path, entry_point))
    _unique_ids(students)
    return students, passed_over


def _unique_ids(students: Iterable[Student]) -> None:
    """Two hand-ins with one name (alice.py and alice.ipynb) keep their whole names, so each has its own row."""
    by_id: dict[str, list[Student]] = {}
    for student in students:
        by_id.setdefault(student.id, []).append(student)
    for clash in (group for group in by_id.values() if len(group) > 1):
        for student in clash:
            student.id = student.path
            student.notes.append("another hand-in has the same name: identified by its whole path")


@dataclass(frozen=True)
class RosterEntry:
    """One line of a roster: the name a hand-in carries, the student's id, and a display name."""

    submission: str
    id: str
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # any other columns (email, section, SIS ids ...)


def read_roster(path: Path) -> list[RosterEntry]:
    """A roster CSV with a header: `submission` (the file stem or folder name handed in) and `id`; `name` optional."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as spreadsheets write it, is not part of a column name
    except (OSError, UnicodeDecodeError) as exc:
        raise StudentsError(f"{path}: cannot read the roster ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "submission" not in columns or "id" not in columns:
        raise StudentsError(f"{path}: a roster needs a header with 'submission' and 'id' columns; found {columns}")
    entries: list[RosterEntry] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        if not clean.get("submission") or not clean.get("id"):
            raise StudentsError(f"{path}: line {number}: 'submission' and 'id' are both needed")
        if clean["submission"] in seen:
            raise StudentsError(f"{path}: line {number}: submission {clean['submission']!r} is listed twice")
        seen.add(clean["submission"])
        extra = {k: v for k, v in clean.items() if k not in ("submission", "id", "name")}
        entries.append(RosterEntry(clean["submission"], clean["id"], clean.get("name", ""), extra))
    return entries


def apply_roster(students: list[Student], roster: list[RosterEntry]) -> list[Student]:
    """Students under their roster ids; a roster entry with no hand-in gets a row of its own ("nothing handed in")."""
    by_submission = {entry.submission: entry for entry in roster}
    handed_in: set[str] = set()
    for student in students:
        key = Path(student.path).stem if Path(student.path).suffix in SOURCE_SUFFIXES else Path(student.path).name
        entry = by_submission.get(key)
        if entry is None:
            student.notes.append("not on the roster")
            continue
        handed_in.add(entry.submission)
        student.id, student.name = entry.id, entry.name
    missing = [Student(id=e.id, path="", name=e.name, problem="nothing handed in")
               for e in roster if e.submission not in handed_in]
    merged = students + missing
    _unique_ids(merged)
    return merged


__all__ = ["RosterEntry", "Student", "StudentsError", "apply_roster", "defines", "find_students", "read_roster",
           "student_from_file", "student_from_folder"]
