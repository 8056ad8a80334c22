"""A class's report: one row per student, a summary, and re-grades that update rows instead of replacing the file.

The report is a CSV (a row per student, for spreadsheets) or a JSON file (the
same rows with each full result, plus the summary). Both record the problem,
the judge's version and the course secret's fingerprint, so that a row can be
traced to the hidden cases it was graded on; merging a run graded on another
problem or another secret into a report is refused, since its scores would not
be comparable.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from judge.students import Student
from judge.verdicts import GradeResult, Verdict

NOT_GRADED = "Not Graded"  # a student with no code to grade: the row says why
COLUMNS = ("student", "name", "verdict", "score", "points", "max_points", "first_failing_case", "reason", "hint",
           "mistake", "diagnosis", "speedup", "speed", "notes", "path", "entry_file", "problem", "judge_version",
           "secret_fingerprint", "graded_at")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, quoted so that it is shown as text.

    A hand-in's name becomes a student id, and a file named `=HYPERLINK(...).py`
    would otherwise run when the teaching assistant opens the report.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class ReportError(ValueError):
    """An existing report that cannot be merged into; one line, exit code 2."""


def judge_version() -> str:
    try:
        return version("attention-judge")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return "unknown"


@dataclass(frozen=True)
class RunFacts:
    """What every row of one run shares."""

    problem: str
    secret_fingerprint: str
    max_points: float  # for students not graded
    judge_version: str
    graded_at: str  # ISO 8601, UTC


def run_facts(problem: str, secret_fingerprint: str, max_points: float) -> RunFacts:
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    return RunFacts(problem, secret_fingerprint, max_points, judge_version(), now)


def _speed(result: GradeResult) -> tuple[Any, str]:
    timing = result.timing or {}
    if timing.get("status") == "done":
        low_high = timing.get("speedup_ci95")
        speedup = timing.get("speedup", "")
        interval = f", 95% CI {low_high[0]:.2f}-{low_high[1]:.2f}" if low_high else ""
        figure = f" (speedup {speedup:.2f}{interval})" if isinstance(speedup, int | float) else ""
        return speedup, f"{timing.get('summary', '')}{figure}"
    return "", f"none: {timing.get('reason', 'not measured')}" if timing else "none: not measured"


def row(student: Student, result: GradeResult | None, facts: RunFacts) -> dict[str, Any]:
    """One student's row. `result` is None for a student who could not be graded."""
    base = {"student": student.id, "name": student.name, "path": student.path, "entry_file": student.entry_file,
            "notes": "; ".join(student.notes), "problem": facts.problem, "judge_version": facts.judge_version,
            "secret_fingerprint": facts.secret_fingerprint, "graded_at": facts.graded_at}
    if result is None:
        return {**base, "verdict": NOT_GRADED, "score": 0.0, "points": 0.0, "max_points": facts.max_points,
                "first_failing_case": "", "reason": student.problem, "hint": "", "mistake": "", "diagnosis": "",
                "speedup": "", "speed": "none: not graded"}
    failing = next((c for c in result.cases if c.verdict is not Verdict.ACCEPTED), None)
    reason = failing.message if failing else ""
    if not reason and result.verdict is not Verdict.ACCEPTED:
        reason = "; ".join(result.details) or str(result.verdict)
    speedup, speed = _speed(result)
    notes = [*student.notes, *(d for d in result.details if result.verdict is not Verdict.INTERNAL_ERROR)]
    return {**base, "verdict": str(result.verdict), "score": round(result.score, 4), "points": result.points,
            "max_points": result.max_points, "first_failing_case": failing.name if failing else "",
            "reason": reason, "hint": result.hint or "", "mistake": result.mistake or "",
            "diagnosis": " | ".join(result.diagnosis), "speedup": speedup, "speed": speed, "notes": "; ".join(notes)}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per verdict, the mean score, and the most common mistakes (with how many students made each)."""
    verdicts = Counter(str(r["verdict"]) for r in rows)
    mistakes = Counter(m for r in rows for m in [str(r.get("mistake") or "")] if m)
    hints = {str(r["mistake"]): str(r["hint"]) for r in rows if r.get("mistake")}
    scores = [float(r["score"]) for r in rows]
    return {
        "students": len(rows),
        "verdicts": dict(verdicts.most_common()),
        "mean_score": round(sum(scores) / len(scores), 4) if scores else None,
        "common_mistakes": [{"mistake": m, "students": n, "hint": hints[m]} for m, n in mistakes.most_common(5)],
    }


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` all at once: a crash leaves the old report, never half of a new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an existing report (CSV or JSON); [] when there is none yet."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the existing report ({exc})") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportError(f"{path}: not JSON ({exc}); move it away to start a new report") from exc
        rows = data.get("students") if isinstance(data, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) and "student" in r for r in rows):
            raise ReportError(f"{path}: not a class report of this judge (no 'students' rows); move it away first")
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if "student" not in (reader.fieldnames or []):
        raise ReportError(f"{path}: not a class report of this judge (no 'student' column); move it away first")
    return [{k: _unquoted(v) for k, v in r.items()} for r in reader]


def _unquoted(value: Any) -> Any:
    """A cell as it was before `spreadsheet_safe`, so that a re-grade finds its student's row."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """`old` with the students of `new` replaced or added, sorted by student; refuses another problem or secret."""
    for key, what in (("problem", "problem"), ("secret_fingerprint", "course secret")):
        theirs = {str(r.get(key, "")) for r in old} - {""}
        ours = {str(r.get(key, "")) for r in new} - {""}
        if theirs and ours and theirs != ours:
            raise ReportError(f"{path} holds another {what} ({', '.join(sorted(theirs))}, this run: "
                              f"{', '.join(sorted(ours))}); its scores would not be comparable: write a new report"
                              + (" or pass the same --secret-file" if key == "secret_fingerprint" else ""))
    by_student = {str(r["student"]): r for r in old}
    by_student.update({str(r["student"]): r for r in new})
    return [by_student[k] for k in sorted(by_student)]


def write(path: Path, rows: list[dict[str, Any]], results: dict[str, dict[str, Any]] | None = None) -> None:
    """The report file: a CSV of `rows`, or JSON of the rows (each with its full result) and their summary."""
    if path.suffix.lower() == ".json":
        full = [{**r, "result": (results or {}).get(str(r["student"]), r.get("result"))} for r in rows]
        payload = {"summary": summary(rows), "students": full}
        write_text(path, json.dumps(payload, indent=2, allow_nan=False) + "\n")
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in r.items()} for r in rows)
    write_text(path, buffer.getvalue())


__all__ = ["COLUMNS", "NOT_GRADED", "ReportError", "RunFacts", "judge_version", "merge", "read_rows", "row",
           "run_facts", "spreadsheet_safe", "summary", "write", "write_text"]
