"""Can the speed comparison be trusted? Repeatability, proportionality and resistance to gaming.

Grades, side by side in one run, on the cross-attention benchmark shape:
- an honest submission three times (spread of the speedup),
- one that does 4x the work (should report >= 2.5x the honest time),
- one that memoises by input bytes, one that returns stale outputs, one that
  computes ahead in a background thread and one that
  patches the clocks (none may report better than half the honest time).

Usage: python benchmarks/timing_integrity.py  (prints a Markdown table)
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.grader import GradeOptions, grade
from judge.problem import get_problem

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


def run(name: str) -> dict:
    problem = get_problem("cross-attention")
    result = grade(problem, (SUBMISSIONS / f"{name}.py").read_text(), GradeOptions(secret="bench", timing=True))
    return {"verdict": str(result.verdict), **(result.timing or {}), "judge_seconds": result.judge_seconds}


def main() -> None:
    honest = [run("honest") for _ in range(3)]
    speedups = [h["speedup"] for h in honest]
    honest_time = statistics.median(h["submission_seconds"] for h in honest)
    print(f"Machine: {describe()}\n")
    print("| submission | verdict | submission ms | reference ms | speedup (95% CI) | vs honest time | note |")
    print("|---|---|---|---|---|---|---|")
    for i, h in enumerate(honest, 1):
        low, high = h["speedup_ci95"]
        print(f"| honest, run {i} | {h['verdict']} | {h['submission_seconds'] * 1e3:.1f} | "
              f"{h['reference_seconds'] * 1e3:.1f} | {h['speedup']:.3f} ({low:.3f}-{high:.3f}) | 1x | "
              f"{h['samples']} samples |")
    spread = (max(speedups) - min(speedups)) / statistics.mean(speedups)
    for name in ("four_times_work", "memoising", "stale_outputs", "patched_clock", "background_precompute"):
        r = run(name)
        if "submission_seconds" in r:
            ratio = r["submission_seconds"] / honest_time
            print(f"| {name} | {r['verdict']} | {r['submission_seconds'] * 1e3:.1f} | "
                  f"{r['reference_seconds'] * 1e3:.1f} | {r['speedup']:.3f} | {ratio:.2f}x | |")
        else:
            print(f"| {name} | {r['verdict']} | - | - | - | not reported | {r.get('skipped', '')[:90]} |")
    print(f"\nSpread of the honest speedup over 3 gradings: {spread:.1%} of the mean.")


if __name__ == "__main__":
    main()
