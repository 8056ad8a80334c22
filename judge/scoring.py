"""Points: how a course weighs a problem's cases, and what a grading earns.

A manifest may give a case its own `points`, or put cases in a `[[groups]]`
table that earns its points only when every one of its cases is Accepted (the
usual "subtask" rule: a group tests one idea, and half an idea earns nothing).
With neither, every case is worth one point, and the score is the fraction of
cases passed. The score is always points earned over points possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Group:
    """Cases that earn `points` together, all or nothing."""

    name: str
    points: float
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """The points of a problem's cases; empty means one point per case."""

    case_points: dict[str, float] = field(default_factory=dict)  # a case's own points
    groups: tuple[Group, ...] = ()

    @property
    def declared(self) -> bool:
        return bool(self.case_points or self.groups)


def points(scoring: Scoring, accepted: Mapping[str, bool]) -> tuple[float, float]:
    """(earned, possible) for cases named in `accepted` (case name -> whether it was Accepted), in manifest order."""
    if not scoring.declared:
        return float(sum(accepted.values())), float(len(accepted))
    earned = sum(p for name, p in scoring.case_points.items() if accepted.get(name, False))
    earned += sum(g.points for g in scoring.groups if all(accepted.get(c, False) for c in g.cases))
    return float(earned), possible(scoring, len(accepted))


def possible(scoring: Scoring, cases: int) -> float:
    """The most a grading can earn."""
    if not scoring.declared:
        return float(cases)
    return float(sum(scoring.case_points.values()) + sum(g.points for g in scoring.groups))


def _number(value: float) -> str:
    return f"{value:g}"


def _points_word(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def explain(scoring: Scoring, case_names: list[str], public: set[str]) -> str:
    """The statement's paragraph on partial credit, in Markdown, generated from the manifest so it cannot drift."""
    total = possible(scoring, len(case_names))
    lines = ["## Scoring", ""]
    if not scoring.declared:
        lines.append(f"Each of the {len(case_names)} cases is worth one point; your score is the fraction of "
                     "cases your function passes. The verdict is that of the first case that fails.")
        return "\n".join(lines) + "\n"
    lines.append(f"The cases are worth {_number(total)} points in all. A group of cases earns its points only "
                 "when every case in it passes; a case outside a group earns its own. Your score is the points "
                 "earned over the points possible, and the verdict is that of the first case that fails.")
    lines.append("")

    def label(name: str) -> str:
        return f"`{name}`" + (" (public)" if name in public else " (hidden)")

    for group in scoring.groups:
        lines.append(f"- {group.name}: {_points_word(group.points)}, all or nothing: "
                     f"{', '.join(label(c) for c in group.cases)}")
    for name in case_names:
        if name in scoring.case_points:
            lines.append(f"- {label(name)}: {_points_word(scoring.case_points[name])}")
    return "\n".join(lines) + "\n"


__all__ = ["Group", "Scoring", "explain", "points", "possible"]
