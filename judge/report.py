"""Turn results into words: the readable report of one grading, and the class's tables and summary."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from judge.verdicts import GradeResult, Verdict

_STYLE = {
    Verdict.ACCEPTED: "bold green",
    Verdict.WRONG_ANSWER: "bold red",
    Verdict.INTERNAL_ERROR: "bold magenta",
}


def verdict_text(verdict: Verdict) -> Text:
    return Text(str(verdict), style=_STYLE.get(verdict, "bold yellow"))


def _error(value: float | None) -> str:
    return "" if value is None else f"{value:.2e}"


def case_table(result: GradeResult) -> Table:
    table = Table(show_edge=False, header_style="bold")
    for column in ("case", "verdict", "sizes", "max abs err", "max rel err", "tolerance", "what went wrong"):
        table.add_column(column, overflow="fold")
    for case in result.cases:
        sizes = " ".join(f"{k}={v}" for k, v in case.dims.items())
        name = case.name + ("" if case.public else " (hidden)")
        if case.seed is not None:
            name += f", seed {case.seed}"
        message = "" if case.verdict is Verdict.ACCEPTED else case.message
        table.add_row(Text(name), verdict_text(case.verdict), sizes, _error(case.max_abs_error),
                      _error(case.max_rel_error), _error(case.tolerance), Text(message))
    return table


def timing_lines(timing: dict[str, Any]) -> list[str]:
    """The speed comparison in words: its figure, or why there is none."""
    status = timing.get("status")
    if status == "pending":
        return [f"speed: pending ({timing.get('reason', 'queued for the timing lane')})"]
    if status != "done":
        label = "failed" if status == "failed" else "not measured"
        return [f"speed: {label} ({timing.get('reason', '')})"]
    interval = timing.get("speedup_ci95")
    spread = f"95% CI {interval[0]:.2f}-{interval[1]:.2f}, " if interval else ""
    gflops = timing.get("submission_gflops")
    rate = f" ({gflops:.1f} GFLOP/s)" if isinstance(gflops, int | float) else ""  # None: the folder counts no FLOPs
    lines = [
        f"speed on {timing['device']} ({timing['threads']} thread(s)): {timing['summary']}",
        f"  yours {timing['submission_seconds'] * 1e3:.2f} ms{rate}, "
        f"Torch reference {timing['reference_seconds'] * 1e3:.2f} ms ({spread}{timing['samples']} timed pairs)",
    ]
    if timing.get("implausible"):
        lines.append("  speedup over 10x: flagged as implausible and not ranked")
    lines.extend(f"  {note}" for note in timing.get("notes", []))
    return lines


def render(result: GradeResult, path: str | None = None, with_timing: bool = True) -> Group:
    """The readable report of one grading: verdict, per-case table, hint, traceback, output."""
    title = Text.assemble(verdict_text(result.verdict), f"  score {result.score:.0%}, "
                          f"{result.points:g} of {result.max_points:g} points  ({result.problem}")
    title.append(f", {path})" if path else ")")
    parts: list[Any] = [title]
    if result.sandbox != "bubblewrap":
        parts.append(Text(f"WARNING: sandbox {result.sandbox}: submitted code ran without isolation", style="bold red"))
    parts.append(case_table(result))
    if result.hint:
        parts.append(Panel(Text(result.hint), title=f"likely mistake: {result.mistake}", border_style="yellow"))
    if result.diagnosis:
        parts.append(Panel(Text("\n".join(f"- {line}" for line in result.diagnosis)),
                           title="what was observed (no known mistake explains it)", border_style="cyan"))
    if result.traceback:
        parts.append(Panel(Text(result.traceback.rstrip()), title="your traceback", border_style="red"))
    for label, body in (("stdout", result.stdout), ("stderr", result.stderr)):
        if body.strip():
            parts.append(Panel(Text(body.rstrip()[:2000]), title=f"captured {label}", border_style="dim"))
    if result.timing and with_timing:
        parts.extend(Text(line) for line in timing_lines(result.timing))
    parts.extend(Text(note, style="bold red") for note in result.details)
    return Group(*parts)


def class_table(rows: list[dict[str, Any]]) -> Table:
    """The class at a glance: one line per student, with why a failing one failed."""
    table = Table(header_style="bold")
    for column in ("student", "verdict", "points", "first failing case", "reason or likely mistake", "speed"):
        table.add_column(column, overflow="fold")
    for row in rows:
        verdict = row["verdict"]
        styled = verdict_text(Verdict(verdict)) if verdict in Verdict._value2member_map_ else Text(verdict,
                                                                                                    style="bold yellow")
        why = row["hint"] or row["reason"]
        table.add_row(Text(str(row["student"])), styled, f"{float(row['points']):g}/{float(row['max_points']):g}",
                      Text(str(row["first_failing_case"])), Text(str(why)[:300]), Text(str(row["speed"])))
    return table


def class_summary(summary: dict[str, Any], secret_fingerprint: str) -> Panel:
    """Counts per verdict, the mean score and the most common mistakes."""
    lines = [f"{summary['students']} students; mean score {summary['mean_score']:.0%}"]
    lines.extend(f"  {count:3d}  {verdict}" for verdict, count in summary["verdicts"].items())
    if summary["common_mistakes"]:
        lines.append("most common mistakes:")
        lines.extend(f"  {m['students']:3d}  {m['mistake']}: {m['hint']}" for m in summary["common_mistakes"])
    lines.append(f"hidden cases from the course secret with fingerprint {secret_fingerprint}")
    return Panel(Text("\n".join(lines)), title="class summary", border_style="blue")


def not_graded(row: dict[str, Any]) -> Text:
    """A student who could not be graded, and why."""
    where = f"  {row['student']} ({row['path']}): "
    return Text.assemble(Text("Not Graded", style="bold yellow"), where, str(row["reason"]))


def console(stderr: bool = False) -> Console:
    # a pipe or a file gets a readable width rather than rich's 80 columns
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 140)
