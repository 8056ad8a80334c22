"""The `judge` command: list, show, run, check, new, doctor, bench, and the service's serve/token.

`main(argv)` returns the exit code: 0 when everything asked for holds (every
submission Accepted, every check passed), 1 when something does not, 2 for a
usage error (unknown problem, missing file), reported in one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from judge import report
from judge.grader import GradeOptions, grade
from judge.problem import Problem, ProblemError, UnknownProblem, catalogue, discover, get_problem
from judge.sandbox import SandboxError
from judge.settings import JudgeSettings
from judge.timing import TimingOptions, time_submission
from judge.verdicts import GradeResult, Verdict


class UsageError(Exception):
    """A mistake in how the command was called; reported in one line, exit code 2."""


def _problem(settings: JudgeSettings, slug: str) -> Problem:
    try:
        return get_problem(slug, settings.problems_dir)
    except UnknownProblem as exc:
        raise UsageError(str(exc)) from exc


def _submissions(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.py") if p.is_file())
            if not found:
                raise UsageError(f"{path}: no .py files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def cmd_list(args: argparse.Namespace, settings: JudgeSettings) -> int:
    found = catalogue(settings.problems_dir)
    for slug, problem in found.problems.items():
        print(f"{slug:20} {problem.title}")
    for folder, why in found.broken.items():
        print(f"{Path(folder).name:20} BROKEN (not served): {why}")
    return 0


def cmd_show(args: argparse.Namespace, settings: JudgeSettings) -> int:
    problem = _problem(settings, args.slug)
    out = report.console()
    out.print(Markdown(problem.statement_path.read_text(encoding="utf-8")))
    out.print(f"\nSignature:\n    {problem.signature()}")
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        # undecodable bytes: let the judge report a Compilation Error rather than crash here
        return path.read_bytes().decode("utf-8", errors="replace")


def _time_accepted(problem: Problem, results: list[tuple[str, GradeResult]], codes: dict[str, str],
                   settings: JudgeSettings, progress: Progress | None) -> None:
    """The second phase: the speed comparison of each result whose timing is pending, one at a time."""
    options = TimingOptions(threads=settings.threads, cap_s=settings.timing_cap_s, unsandboxed=settings.unsandboxed)
    waiting = [(path, result) for path, result in results if (result.timing or {}).get("status") == "pending"]
    task = progress.add_task("timing", total=len(waiting)) if progress is not None else None
    for path, result in waiting:
        if progress is not None and task is not None:
            progress.update(task, description=f"timing {Path(path).name}")
        try:
            result.timing = time_submission(problem, codes[path], options)
        except SandboxError as exc:
            result.timing = {"status": "skipped", "reason": f"the timing sandbox could not start: {exc}"}
        if progress is not None and task is not None:
            progress.advance(task)


def _progress() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=report.console(stderr=True), transient=True)


def cmd_run(args: argparse.Namespace, settings: JudgeSettings) -> int:
    problem = _problem(settings, args.slug)
    files = _submissions(args.paths)
    if args.report and Path(args.report).suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"{args.report}: the report file must end in .csv or .json")
    options = GradeOptions(secret=settings.secret, timing=not args.no_timing, threads=settings.threads,
                           unsandboxed=settings.unsandboxed)
    results: list[tuple[str, GradeResult]] = []
    codes = {str(path): _read(path) for path in files}
    out = report.console()
    if len(files) == 1:  # the verdict at once; the speed comparison follows
        path = str(files[0])
        result = grade(problem, codes[path], options)
        results.append((path, result))
        if not args.json:
            out.print(report.render(result, path, with_timing=False))
        with _progress() as progress:
            _time_accepted(problem, results, codes, settings, progress if not args.json else None)
        if args.json:
            print(report.json_line(result, path), flush=True)
        elif result.timing:
            for line in report.timing_lines(result.timing):
                out.print(line)
    else:
        with _progress() as progress:
            task = progress.add_task("grading", total=len(files))
            for path in codes:
                progress.update(task, description=f"grading {Path(path).name}")
                results.append((path, grade(problem, codes[path], options)))
                progress.advance(task)
            if not args.json:
                progress.console.print(report.summary_table([report.summary_row(r, p) for p, r in results]))
            _time_accepted(problem, results, codes, settings, progress)
        if args.json:
            for path, result in results:
                print(report.json_line(result, path), flush=True)
        else:
            out.print(report.timing_table([report.summary_row(r, p) for p, r in results]))
    if args.report:
        report.write_report(Path(args.report), results)
    return 0 if all(r.verdict is Verdict.ACCEPTED for _, r in results) else 1


def cmd_check(args: argparse.Namespace, settings: JudgeSettings) -> int:
    from judge.check import check_problem, solution_files
    from judge.vetting import record, vetting_key

    problem = _problem(settings, args.slug)
    key = vetting_key(problem)  # the content checked, even if the folder changes meanwhile
    out = report.console()
    total = len(solution_files(problem, "correct")) + len(solution_files(problem, "wrong"))
    with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=report.console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=total)
        result = check_problem(problem, on_solution=lambda p: progress.update(task, advance=1, description=p.name))
    table = Table(show_edge=False, header_style="bold", title=f"judge check {problem.slug}")
    table.add_column("check")
    table.add_column("")
    table.add_column("detail", overflow="fold")
    for check in result.checks:
        # Text, not markup: a detail quotes hints and file names, whose brackets are not styles
        table.add_row(Text(check.name), "[green]ok[/]" if check.ok else "[bold red]FAIL[/]", Text(check.detail))
    out.print(table)
    envelope = Table(show_edge=False, header_style="bold", title="error envelope of the correct solutions")
    for column in ("case", "worst max abs error", "tolerance", "headroom"):
        envelope.add_column(column)
    for name, worst, tolerance in result.envelope:
        headroom = f"{tolerance / worst:.0f}x" if worst > 0 else "exact"
        envelope.add_row(name, f"{worst:.2e}", f"{tolerance:.2e}", headroom)
    out.print(envelope)
    out.print("[green]all checks pass[/]" if result.ok else "[bold red]some checks fail[/]")
    try:  # the service serves a folder once its check passed: this one need not be checked again
        record(problem, [f"{c.name}: {c.detail}" for c in result.checks if not c.ok], settings.check_cache_dir, key)
    except OSError as exc:
        out.print(Text(f"(not recorded for the service: {exc})"))
    return 0 if result.ok else 1


def cmd_new(args: argparse.Namespace, settings: JudgeSettings) -> int:
    from judge.scaffold import scaffold

    try:
        folder = scaffold(settings.problems_dir, args.slug, args.template, args.into)
    except ProblemError as exc:
        raise UsageError(str(exc)) from exc
    print(f"created {folder}")
    print("next: edit problem.toml, statement.md and starter.py, add solutions, then run "
          f"`judge check {args.slug}` (see docs/authoring.md)")
    return 0


def cmd_doctor(args: argparse.Namespace, settings: JudgeSettings) -> int:
    from judge.probe import probe

    result = probe(settings.unsandboxed)
    facts = result.isolation
    level = "bubblewrap" if facts.level == "bubblewrap" else "NONE (JUDGE_UNSANDBOXED is set)"
    print(f"isolation: {level}")
    print(f"how: {facts.reason}")
    print(f"limits: {'per sandbox' if facts.whole else 'PER PROCESS ONLY'}: {facts.limits}")
    print(f"probe: {'ok' if result.ok else 'FAILED'}: {result.line}")
    problems = discover(settings.problems_dir)
    print(f"problems: {len(problems)} in {settings.problems_dir}")
    try:
        import torch

        device = "cuda (" + torch.cuda.get_device_name(0) + ")" if torch.cuda.is_available() else "cpu"
        print(f"torch reference: {torch.__version__} on {device}")
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        print(f"torch reference: unavailable ({exc})")
    return 0 if result.ok and facts.level == "bubblewrap" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="judge",
        description="Grade Transformer-block exercises against trusted references, in a bubblewrap sandbox.",
        epilog="Settings come from JUDGE_* environment variables (see the README). Exit codes: 0 all good, "
               "1 some submission or check failed, 2 usage error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the problems, one line each, and any broken folder with why")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="print a problem's statement and signature")
    p.add_argument("slug", help="the problem's id, e.g. cross-attention")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("run", help="grade submission files or folders of .py files",
                       description="Grade one or more submissions. One file prints a full report; several print "
                                   "a progress bar and a summary table.")
    p.add_argument("slug", help="the problem's id, e.g. cross-attention")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .py file or a folder of .py files")
    p.add_argument("--json", action="store_true", help="print one JSON object per submission, one per line")
    p.add_argument("--no-timing", action="store_true",
                   help="skip the speed comparison with the Torch reference (it runs after the verdicts are printed)")
    p.add_argument("--report", metavar="FILE", help="also write a report: FILE.csv (a row per submission) "
                                                    "or FILE.json (full results)")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("check", help="validate a problem end to end through the real sandbox")
    p.add_argument("slug")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("new", help="scaffold a new problem folder from an existing one")
    p.add_argument("slug", help="the new problem's id: lowercase words joined by '-'")
    p.add_argument("--from", dest="template", default=None,
                   help="problem to start from (default: the first problem listed)")
    p.add_argument("--into", type=Path, default=None,
                   help="directory to create it in (default: the last of JUDGE_PROBLEMS_DIR's directories)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("doctor", help="say which isolation is active and why")
    p.set_defaults(handler=cmd_doctor)

    _register_optional(sub)
    return parser


def _register_optional(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands that live outside the core: the speed benchmark and the HTTP service."""
    from judge.bench import register as register_bench

    register_bench(sub)
    try:
        from api.commands import register as register_service  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the service package is optional for the core
        return
    register_service(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = JudgeSettings()
        return int(args.handler(args, settings) if args.command in _CORE else args.handler(args))
    except UsageError as exc:
        print(f"judge: error: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"judge: error: malformed problem: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("judge: interrupted", file=sys.stderr)
        return 130


_CORE = {"list", "show", "run", "check", "new", "doctor", "bench"}


def entrypoint() -> None:
    """The console script."""
    sys.exit(main())


if __name__ == "__main__":
    entrypoint()

__all__ = ["build_parser", "entrypoint", "main"]
