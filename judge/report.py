"""Turn results into words: the readable report, the JSON line and the report-file rows."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
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
    title = Text.assemble(verdict_text(result.verdict), f"  score {result.score:.0%}  ({result.problem}")
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


def json_line(result: GradeResult, path: str) -> str:
    """One JSON object per submission, as `judge run --json` prints it."""
    return json.dumps({"path": path, **result.to_dict()}, allow_nan=False)


def summary_row(result: GradeResult, path: str) -> dict[str, Any]:
    """One flat row per submission, for the summary table and CSV reports."""
    failing = next((c for c in result.cases if c.verdict is not Verdict.ACCEPTED), None)
    timing = result.timing or {}
    speedup = timing.get("speedup", "") if timing.get("status") == "done" else ""
    return {
        "path": path,
        "verdict": str(result.verdict),
        "score": round(result.score, 4),
        "first_failing_case": failing.name if failing else "",
        "hint": result.hint or "",
        "mistake": result.mistake or "",
        "diagnosis": result.diagnosis[0] if result.diagnosis else "",
        "speedup": speedup,
        "timing": timing.get("summary") or timing.get("reason", ""),
        "sandbox": result.sandbox,
    }


def summary_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(header_style="bold")
    for column in ("path", "verdict", "score", "first failing case", "hint"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Text(row["path"]), verdict_text(Verdict(row["verdict"])), f"{row['score']:.0%}",
                      Text(row["first_failing_case"]), Text(row["hint"]))
    return table


def timing_table(rows: list[dict[str, Any]]) -> Table:
    """The second phase's outcome: one line per submission with its speed, or why there is none."""
    table = Table(header_style="bold")
    for column in ("path", "verdict", "speed against the Torch reference"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Text(row["path"]), verdict_text(Verdict(row["verdict"])), Text(row["timing"]))
    return table


def write_report(path: Path, results: list[tuple[str, GradeResult]]) -> None:
    """A CSV (one row per submission) or JSON (one full object per submission) report file."""
    if path.suffix.lower() == ".json":
        payload = [{"path": p, **r.to_dict()} for p, r in results]
        path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        return
    rows = [summary_row(r, p) for p, r in results]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["path"])
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def console(stderr: bool = False) -> Console:
    # a pipe or a file gets a readable width rather than rich's 80 columns
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 140)
