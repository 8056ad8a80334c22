"""The judge's own overhead when grading one correct cross-attention submission (no timing).

Overhead = the grading's wall time minus the submission's own compute (the sum
of its per-case call times measured inside the sandbox). The first grading in a
process also pays for one-off set-up (finding the allowed packages), so both are
shown.

Usage: python benchmarks/grading_overhead.py
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.grader import GradeOptions, grade
from judge.problem import get_problem

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "honest.py"


def main() -> None:
    problem = get_problem("cross-attention")
    code = SUBMISSION.read_text()
    rows = []
    for _ in range(6):
        result = grade(problem, code, GradeOptions(secret="bench", timing=False))
        compute = sum(c.seconds or 0.0 for c in result.cases)
        rows.append((result.judge_seconds, compute, str(result.verdict)))
    print(f"Machine: {describe()}\n")
    print("| grading | verdict | wall s | submission compute s | judge overhead s |")
    print("|---|---|---|---|---|")
    for i, (wall, compute, verdict) in enumerate(rows, 1):
        print(f"| {i}{' (first in process)' if i == 1 else ''} | {verdict} | {wall:.3f} | {compute:.4f} | "
              f"{wall - compute:.3f} |")
    warm = [wall - compute for wall, compute, _ in rows[1:]]
    print(f"\nMedian overhead after the first grading: {statistics.median(warm):.3f} s "
          f"over {len(problem.cases)} cases.")


if __name__ == "__main__":
    main()
