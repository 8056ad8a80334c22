"""The `judge` command: list, show, run, submit, check, new, doctor, bench, and the service's serve/work/token.

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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from judge import report
from judge.problem import Problem, ProblemError, catalogue, discover
from judge.run_command import register as register_run
from judge.settings import JudgeSettings
from judge.submit_command import register as register_submit
from judge.usage import UsageError, problem_or_usage_error


def _problem(settings: JudgeSettings, slug: str) -> Problem:
    return problem_or_usage_error(settings, slug)


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
    out.print(Markdown(problem.statement()))
    out.print(f"\nSignature:\n    {problem.signature()}")
    return 0


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

    register_run(sub)
    register_submit(sub)

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


_CORE = {"list", "show", "run", "submit", "check", "new", "doctor", "bench"}


def entrypoint() -> None:
    """The console script."""
    sys.exit(main())


if __name__ == "__main__":
    entrypoint()

__all__ = ["build_parser", "entrypoint", "main"]
