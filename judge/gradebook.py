"""Gradebook exports: Gradescope's `results.json`, and CSV files that Canvas and Moodle import.

Formats, as their documentation and importers describe them:
- Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (a top-level `score`,
  `tests` with `score`, `max_score`, `status` and `visibility`); the test suite validates what is
  written here against a JSON Schema of that page.
- Canvas: the gradebook import reads `Student, ID, SIS User ID, SIS Login ID, Section`, then one
  column per assignment, `Title (id)` for an existing one; a first row starting "Points Possible"
  sets a new assignment's points. Students are matched by ID, then SIS User ID, then SIS Login ID.
- Moodle: "Import grades from CSV" maps one identifier column (here "ID number") and one grade
  column by hand; any unknown user or non-numeric grade cancels the whole import, so every row
  has an id and a number.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from judge.class_report import NOT_GRADED, spreadsheet_safe
from judge.scoring import Scoring
from judge.verdicts import CaseResult, GradeResult, Verdict

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def _case_line(case: CaseResult) -> str:
    where = "" if case.public else " (hidden case: its inputs are not shown)"
    if case.verdict is Verdict.ACCEPTED:
        return f"{case.name}: Accepted{where}"
    return f"{case.name}: {case.verdict}{where}: {case.message}"


def _tests(result: GradeResult, scoring: Scoring, hidden_visibility: str) -> list[dict[str, Any]]:
    """One Gradescope test per case (or per group of cases, when the manifest groups them), scored as the judge did."""
    cases = {c.name: c for c in result.cases}

    def test(name: str, members: list[CaseResult], points: float) -> dict[str, Any]:
        passed = all(c.verdict is Verdict.ACCEPTED for c in members)
        public = all(c.public for c in members)
        return {"name": name, "score": points if passed else 0.0, "max_score": points,
                "status": "passed" if passed else "failed", "output": "\n".join(_case_line(c) for c in members),
                "visibility": "visible" if public else hidden_visibility}

    if not scoring.declared:
        return [test(c.name, [c], 1.0) for c in result.cases]
    tests = [test(g.name, [cases[n] for n in g.cases if n in cases], g.points) for g in scoring.groups]
    tests += [test(name, [cases[name]], points) for name, points in scoring.case_points.items() if name in cases]
    return tests


def gradescope_results(row: dict[str, Any], result: GradeResult | None, scoring: Scoring,
                       hidden_visibility: str = "visible") -> dict[str, Any]:
    """One student's `results.json`: the judge's points as the score, a test per case or group, the feedback."""
    lines = [f"{row['verdict']}: {row['points']:g} of {row['max_points']:g} points"]
    if row["verdict"] != str(Verdict.ACCEPTED) and row.get("first_failing_case"):
        lines.append(f"first failing case: {row['first_failing_case']}: {row['reason']}")
    elif row["verdict"] == NOT_GRADED:
        lines.append(f"not graded: {row['reason']}")
    if row.get("hint"):
        lines.append(f"likely mistake: {row['hint']}")
    if result is not None:
        lines.extend(f"observed: {line}" for line in result.diagnosis)
        if result.traceback:
            lines.append("your traceback:\n" + result.traceback.rstrip())
    if row.get("notes"):
        lines.append(f"notes: {row['notes']}")
    return {
        "score": float(row["points"]),
        "execution_time": round(result.judge_seconds, 3) if result is not None else 0.0,
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": _tests(result, scoring, hidden_visibility) if result is not None and result.cases else [],
        "extra_data": {"verdict": row["verdict"], "mistake": row.get("mistake", ""), "problem": row["problem"],
                       "judge_version": row["judge_version"], "secret_fingerprint": row["secret_fingerprint"]},
    }


def _csv(header: list[str], lines: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in line] for line in lines)
    return buffer.getvalue()


def _points(row: dict[str, Any]) -> str:
    return f"{float(row['points']):g}"


def canvas_csv(rows: list[dict[str, Any]], assignment: str, roster_extra: dict[str, dict[str, str]]) -> str:
    """Canvas's gradebook import: identity columns, then the assignment's points, with a Points Possible row.

    `roster_extra` holds, by student id, the roster's other columns: `canvas_id`,
    `sis_login_id` and `section` fill Canvas's columns when present; the
    student id itself is the SIS User ID.
    """
    most = max((float(r["max_points"]) for r in rows), default=0.0)
    lines: list[list[Any]] = [["    Points Possible", "", "", "", "", f"{most:g}"]]
    for r in rows:
        extra = roster_extra.get(str(r["student"]), {})
        lines.append([r.get("name") or r["student"], extra.get("canvas_id", ""), r["student"],
                      extra.get("sis_login_id", ""), extra.get("section", ""), _points(r)])
    return _csv(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment], lines)


def moodle_csv(rows: list[dict[str, Any]], assignment: str) -> str:
    """Moodle's grade import: map "ID number" to the user's ID number and the assignment column to its grade item."""
    return _csv(["ID number", "Name", assignment], [[r["student"], r.get("name", ""), _points(r)] for r in rows])


__all__ = ["VISIBILITIES", "canvas_csv", "gradescope_results", "moodle_csv"]
