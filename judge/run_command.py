"""`judge run`: grade one submission, or a whole class, into a report a teaching assistant can hand on.

One graded student prints the full readable report. A class prints a table and
a summary, and can write a report (merged into an existing one), a Gradescope
`results.json`, and Canvas or Moodle gradebook files. Hidden cases come from
the course secret file, so that a re-grade meets the same cases.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from judge import class_report, gradebook, report
from judge.classroom import Job, default_jobs, grade_all
from judge.course_secret import SecretError, fingerprint
from judge.grader import GradeOptions
from judge.problem import Problem
from judge.sandbox import SandboxError
from judge.scoring import possible
from judge.settings import JudgeSettings
from judge.students import Student, StudentsError, apply_roster, find_students, read_roster
from judge.timing import TimingOptions, time_submission
from judge.usage import UsageError, problem_or_usage_error
from judge.verdicts import GradeResult, Verdict

_REPORT_SUFFIXES = (".csv", ".json")


def _progress() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn())
    return Progress(*columns, console=report.console(stderr=True), transient=True)


def time_accepted(problem: Problem, graded: list[tuple[Student, GradeResult]], settings: JudgeSettings,
                  progress: Progress | None) -> None:
    """The second phase: the speed comparison of each result whose timing is pending, one at a time."""
    options = TimingOptions(threads=settings.threads, cap_s=settings.timing_cap_s, unsandboxed=settings.unsandboxed)
    waiting = [(s, r) for s, r in graded if (r.timing or {}).get("status") == "pending"]
    task = progress.add_task("timing", total=len(waiting)) if progress is not None else None
    for student, result in waiting:
        if progress is not None and task is not None:
            progress.update(task, description=f"timing {student.id}")
        assert student.code is not None
        try:
            result.timing = time_submission(problem, student.code, options)
        except SandboxError as exc:
            result.timing = {"status": "skipped", "reason": f"the timing sandbox could not start: {exc}"}
        if progress is not None and task is not None:
            progress.advance(task)


def _secret(args: argparse.Namespace, settings: JudgeSettings) -> tuple[str, str]:
    if args.secret_file is not None:
        settings = settings.model_copy(update={"secret_file": args.secret_file})
    try:
        secret, created = settings.course_secret()
    except (SecretError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    if created:
        report.console(stderr=True).print(
            f"created the course secret {settings.secret_path} (fingerprint {fingerprint(secret)}): keep it, "
            "and give it to every run (--secret-file) that must meet the same hidden cases")
    return secret, fingerprint(secret)


def _check_outputs(args: argparse.Namespace) -> None:
    if args.report and Path(args.report).suffix.lower() not in _REPORT_SUFFIXES:
        raise UsageError(f"{args.report}: the report file must end in .csv or .json")
    for flag in ("canvas", "moodle"):
        value = getattr(args, flag)
        if value and Path(value).suffix.lower() != ".csv":
            raise UsageError(f"{value}: the {flag.capitalize()} gradebook file must end in .csv")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"-j {args.jobs}: give 1 or more parallel gradings")


def _students(args: argparse.Namespace, problem: Problem) -> tuple[list[Student], dict[str, dict[str, str]]]:
    try:
        students, passed_over = find_students(args.paths, args.student or [], problem.entry_point)
        extra: dict[str, dict[str, str]] = {}
        if args.roster:
            roster = read_roster(Path(args.roster))
            students = apply_roster(students, roster)
            extra = {entry.id: entry.extra for entry in roster}
    except StudentsError as exc:
        raise UsageError(str(exc)) from exc
    if not students:
        raise UsageError("no students: give class folders, or students' files or folders (--student)")
    if passed_over:
        report.console(stderr=True).print(f"passed over (not students): {', '.join(passed_over)}")
    if args.gradescope and len(students) != 1:
        raise UsageError(f"--gradescope writes one student's results.json; {len(students)} students were found "
                         "(give the submission folder with --student)")
    return students, extra


def json_line(row: dict[str, Any], result: GradeResult | None) -> str:
    """One student as `judge run --json` prints it: the report row, and the whole result's fields over it."""
    return json.dumps({**row, **(result.to_dict() if result else {})}, allow_nan=False)


def _print_one(student: Student, result: GradeResult | None, row: dict[str, Any], args: argparse.Namespace) -> None:
    out = report.console()
    if args.json:
        print(json_line(row, result), flush=True)
    elif result is None:
        out.print(report.not_graded(row))
    else:
        out.print(report.render(result, student.entry_file or student.path))


def cmd_run(args: argparse.Namespace, settings: JudgeSettings) -> int:
    problem = problem_or_usage_error(settings, args.slug)
    _check_outputs(args)
    students, roster_extra = _students(args, problem)
    secret, secret_print = _secret(args, settings)
    options = GradeOptions(secret=secret, timing=not args.no_timing, threads=settings.threads,
                           unsandboxed=settings.unsandboxed)
    jobs = [Job(i, s.code) for i, s in enumerate(students) if s.code is not None]
    out = report.console()
    with _progress() as progress:
        task = progress.add_task("grading", total=len(jobs))
        by_index = grade_all(problem, jobs, options, args.jobs or default_jobs(),
                             on_done=lambda index: progress.update(task, advance=1))
        if args.no_timing:  # say which switch turned it off, in the words the TA typed
            for result in by_index.values():
                if result.verdict is Verdict.ACCEPTED:
                    result.timing = {"status": "skipped", "reason": "--no-timing"}
        graded = [(students[i], by_index[i]) for i in sorted(by_index)]
        waiting = sum((r.timing or {}).get("status") == "pending" for _, r in graded)
        if waiting and len(students) > 1 and not args.json:
            progress.console.print(f"verdicts done; now timing the {waiting} Accepted submission(s) one at a time "
                                   "(--no-timing skips this)")
        time_accepted(problem, graded, settings, progress if not args.json else None)
    facts = class_report.run_facts(problem.slug, secret_print, possible(problem.scoring, len(problem.cases)))
    rows = [class_report.row(s, by_index.get(i), facts) for i, s in enumerate(students)]
    if len(students) == 1:
        _print_one(students[0], by_index.get(0), rows[0], args)
    elif args.json:
        for i, row in enumerate(rows):
            print(json_line(row, by_index.get(i)), flush=True)
    else:
        out.print(report.class_table(rows))
        out.print(report.class_summary(class_report.summary(rows), secret_print))
    _write_outputs(args, problem, rows, {s.id: by_index[i] for i, s in enumerate(students) if i in by_index},
                   roster_extra)
    return 0 if all(r["verdict"] == str(Verdict.ACCEPTED) for r in rows) else 1


def _write_outputs(args: argparse.Namespace, problem: Problem, rows: list[dict[str, Any]],
                   results: dict[str, GradeResult], roster_extra: dict[str, dict[str, str]]) -> None:
    final = rows
    if args.report:
        path = Path(args.report)
        try:
            final = class_report.merge(class_report.read_rows(path), rows, path)
        except class_report.ReportError as exc:
            raise UsageError(str(exc)) from exc
        class_report.write(path, final, {k: v.to_dict() for k, v in results.items()})
        if len(final) > len(rows):
            report.console(stderr=True).print(f"{path}: {len(rows)} row(s) updated; it holds {len(final)} students")
    assignment = args.assignment or problem.title
    if args.canvas:
        class_report.write_text(Path(args.canvas), gradebook.canvas_csv(final, assignment, roster_extra))
    if args.moodle:
        class_report.write_text(Path(args.moodle), gradebook.moodle_csv(final, assignment))
    if args.gradescope:
        row = rows[0]
        payload = gradebook.gradescope_results(row, results.get(str(row["student"])), problem.scoring,
                                               args.gradescope_hidden)
        class_report.write_text(Path(args.gradescope), json.dumps(payload, indent=2, allow_nan=False) + "\n")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `judge run` to the CLI."""
    p = sub.add_parser(
        "run", help="grade a submission, or a whole class, and write reports and gradebook files",
        description="Grade submissions. A PATH that is a file (.py or .ipynb) is one student; a folder is a class, "
                    "in which each file or subfolder is one student (a subfolder's file that defines the entry "
                    "point is graded). One student prints the full report; a class prints a table and a summary. "
                    "Hidden cases come from the course secret (JUDGE_DATA_DIR/secret unless --secret-file), so a "
                    "re-grade meets the same cases.",
        epilog="Exit codes: 0 every student Accepted, 1 some student not, 2 usage error.")
    p.add_argument("slug", help="the problem's id, e.g. cross-attention")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="a student's .py or .ipynb file, or a class folder (each entry in it is a student)")
    p.add_argument("--student", action="append", metavar="PATH",
                   help="one student's folder (or file), e.g. to re-grade one student or in a Gradescope "
                        "autograder; repeatable")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help=f"gradings at once (default: the number of cores, {default_jobs()} here); the verdicts "
                        "are the same as one at a time")
    p.add_argument("--roster", metavar="FILE.csv",
                   help="a CSV with 'submission' (file stem or folder name) and 'id' columns, and optionally "
                        "'name', 'section', 'canvas_id', 'sis_login_id'; listed students with no hand-in get a row")
    p.add_argument("--secret-file", type=Path, default=None, metavar="FILE",
                   help="the course secret (created on first use); default JUDGE_SECRET_FILE, else "
                        "JUDGE_DATA_DIR/secret, the file the service uses")
    p.add_argument("--json", action="store_true", help="print one JSON object per student, one per line")
    p.add_argument("--no-timing", action="store_true",
                   help="skip the speed comparison with the Torch reference (it runs after all the verdicts, one "
                        "submission at a time)")
    p.add_argument("--report", metavar="FILE",
                   help="write FILE.csv (a row per student) or FILE.json (rows, full results and a summary); "
                        "an existing report keeps its other students' rows")
    p.add_argument("--gradescope", metavar="FILE",
                   help="write one student's Gradescope results.json (see docs/gradescope.md)")
    p.add_argument("--gradescope-hidden", choices=gradebook.VISIBILITIES, default="visible",
                   help="Gradescope visibility of tests with hidden cases (default: visible; their inputs are "
                        "never shown)")
    p.add_argument("--canvas", metavar="FILE.csv", help="write a Canvas gradebook import file")
    p.add_argument("--moodle", metavar="FILE.csv", help="write a Moodle grade import file")
    p.add_argument("--assignment", metavar="TITLE",
                   help="the gradebook column: for Canvas 'Title (id)' updates an existing assignment "
                        "(default: the problem's title)")
    p.set_defaults(handler=cmd_run)


__all__ = ["cmd_run", "register", "time_accepted"]
