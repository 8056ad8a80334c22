"""How often the judge names a wrong submission's mistake, and names it right.

Two sets per problem, each file declaring what it got wrong in its docstring
(`Mistake: <id>`, `Mistake: a+b`, or `Mistake: none` for a mistake outside the
catalogue):

- own: the problem's `solutions/wrong/` (the matcher was built beside these);
- held-out 1: `benchmarks/submissions/feedback/<slug>/`, written apart from the
  matcher in the styles of public implementations; its first run exposed flaws
  that were fixed, so it is no longer unseen;
- held-out 2: `benchmarks/submissions/feedback-2/<slug>/`, written after the
  matcher's last change.

Every file is graded through the real sandbox (timing off). Per problem and
set: how many got Wrong Answer, how many of those declare a catalogued mistake,
how many of those got a hint and how many got the right one; then the misleading
hints (a hint on a `none` file or on a correct solution) and the Wrong Answers
left with neither a hint nor a diagnosis line. `--json FILE` keeps every row.

Usage: python benchmarks/feedback.py [--problem SLUG] [--json FILE]  (prints a Markdown table)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.check import declared_mistake, same_mistake
from judge.grader import GradeOptions, grade
from judge.problem import Problem, discover
from judge.verdicts import Verdict

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
SETS = ("own", "held-out 1", "held-out 2")


@dataclass
class Row:
    problem: str
    set: str
    path: str
    verdict: str
    declared: str | None
    named: str | None
    diagnosis: list[str]

    @property
    def right(self) -> bool:
        return self.declared is not None and same_mistake(self.declared, self.named)


def _grade(problem: Problem, path: Path, kind: str) -> Row:
    source = path.read_text(encoding="utf-8")
    result = grade(problem, source, GradeOptions(secret="feedback-benchmark", timing=False))
    row = Row(problem.slug, kind, str(path), str(result.verdict), declared_mistake(source), result.mistake,
              result.diagnosis)
    print(f"  {kind:10} {path.name:40} {row.verdict:14} declared {row.declared or '-':28} named {row.named or '-'}",
          file=sys.stderr, flush=True)
    return row


def _summary(rows: list[Row]) -> str:
    wrong = [r for r in rows if r.verdict == Verdict.WRONG_ANSWER]
    catalogued = [r for r in wrong if r.declared not in (None, "none")]
    named = [r for r in catalogued if r.named]
    right = [r for r in catalogued if r.right]
    misleading = [r for r in rows if r.named and (r.declared == "none" or r.verdict == Verdict.ACCEPTED
                                                  or (r.declared not in (None, "none") and not r.right))]
    silent = [r for r in wrong if not r.named and not r.diagnosis]
    share = f"{len(right) / len(catalogued):.0%}" if catalogued else "-"
    return (f"{len(wrong)} | {len(catalogued)} | {len(named)} | {len(right)} ({share}) | "
            f"{len(misleading)} | {len(silent)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", help="only this problem")
    parser.add_argument("--json", type=Path, help="write every row to this file")
    args = parser.parse_args()
    rows: list[Row] = []
    for slug, problem in sorted(discover().items()):
        if args.problem and slug != args.problem:
            continue
        print(slug, file=sys.stderr)
        sets = [("correct", problem.folder / "solutions" / "correct"), ("own", problem.folder / "solutions" / "wrong"),
                ("held-out 1", SUBMISSIONS / "feedback" / slug), ("held-out 2", SUBMISSIONS / "feedback-2" / slug)]
        for kind, folder in sets:
            rows += [_grade(problem, path, kind) for path in sorted(folder.glob("*.py"))]
    print(f"Machine: {describe()}\n")
    print("| problem | set | Wrong Answers | catalogued | named | named right | misleading hints | "
          "no hint, no diagnosis |")
    print("|---|---|---|---|---|---|---|---|")
    for slug in sorted({r.problem for r in rows}):
        for kind in SETS:
            chosen = [r for r in rows if r.problem == slug and r.set in (kind, "correct" if kind == "own" else "")]
            if any(r.set == kind for r in chosen):
                print(f"| {slug} | {kind} | {_summary(chosen)} |")
    for kind in SETS:
        chosen = [r for r in rows if r.set in (kind, "correct" if kind == "own" else "")]
        print(f"| **all** | {kind} | {_summary(chosen)} |")
    missed = [r for r in rows if r.declared not in (None, "none") and r.verdict == Verdict.WRONG_ANSWER and not r.right]
    if missed:
        print("\nCatalogued but not named right:\n")
        for r in missed:
            print(f"- {r.set} `{Path(r.path).name}` ({r.problem}): declared {r.declared}, named {r.named or 'nothing'}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
