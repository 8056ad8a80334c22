"""Every shipped correct solution's speed figure at the default settings, as a student would get it.

For each problem and each file in its `solutions/correct/`, one speed comparison
(`judge.timing.time_submission`, default cap, 1 thread): the speedup and its
interval, how many timed pairs it rests on, or the stated reason there is none.

Usage: python benchmarks/shipped_solutions_speed.py  (prints a Markdown table)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.problem import discover
from judge.timing import TimingOptions, time_submission


def main() -> None:
    print(f"Machine: {describe()}\n")
    print("| problem | solution | figure | GFLOP/s | speedup (95% CI) | timed pairs | seconds spent |")
    print("|---|---|---|---|---|---|---|")
    for slug, problem in sorted(discover().items()):
        for path in sorted((problem.folder / "solutions" / "correct").glob("*.py")):
            t = time_submission(problem, path.read_text(encoding="utf-8"), TimingOptions())
            if t["status"] != "done":
                print(f"| {slug} | {path.name} | {t['status']}: {t['reason'][:90]} | - | - | - | - |")
                continue
            ci = f"{t['speedup_ci95'][0]:.2f}-{t['speedup_ci95'][1]:.2f}" if t["speedup_ci95"] else "none"
            print(f"| {slug} | {path.name} | {t['summary']} | {t['submission_gflops']:.1f} | "
                  f"{t['speedup']:.2f} ({ci}) | {t['samples']} | {t['spent_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
