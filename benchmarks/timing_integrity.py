"""Can the speed comparison be trusted? Repeatability, proportionality and resistance to gaming.

Times, side by side in one run, on the cross-attention benchmark shape (the
comparison alone, as the timing lane runs it after the verdict):
- an honest submission 5 times on a quiet machine and 5 times while every core
  is kept busy by other processes (spread of the speedup);
- one that does 4x the work (should report about 4x the honest time);
- cheats, none of which may report a speedup over 1/0.8 of the honest one:
  memoising by input bytes, stale outputs, computing ahead in a background
  thread, patched clocks, a process that spins between its own calls to slow
  the reference, and one thread per core.

Usage: python benchmarks/timing_integrity.py  (prints a Markdown table)
"""

import multiprocessing
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.problem import get_problem
from judge.timing import TimingOptions, time_submission

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
CHEATS = ("four_times_work", "memoising", "stale_outputs", "patched_clock", "background_precompute",
          "spin_between_calls", "all_cores")


def run(name: str) -> dict:
    return time_submission(get_problem("cross-attention"), (SUBMISSIONS / f"{name}.py").read_text(), TimingOptions())


def _burn() -> None:
    while True:
        sum(range(100000))


def honest_runs(count: int) -> list[dict]:
    return [run("honest") for _ in range(count)]


def spread(runs: list[dict]) -> float:
    speedups = [r["speedup"] for r in runs]
    return (max(speedups) - min(speedups)) / statistics.mean(speedups)


def row(label: str, r: dict, honest_speedup: float) -> str:
    if r["status"] != "done":
        return f"| {label} | {r['status']} | - | - | - | - | {r.get('reason', '')[:100]} |"
    low_high = f"{r['speedup_ci95'][0]:.3f}-{r['speedup_ci95'][1]:.3f}" if r["speedup_ci95"] else "none"
    return (f"| {label} | done | {r['submission_seconds'] * 1e3:.1f} | {r['reference_seconds'] * 1e3:.1f} | "
            f"{r['speedup']:.3f} ({low_high}) | {r['speedup'] / honest_speedup:.2f} | {r['samples']} pairs, "
            f"{r['spent_s']:.1f} s |")


def main() -> None:
    quiet = honest_runs(5)
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(len(os.sched_getaffinity(0)))]
    for b in burners:
        b.start()
    try:
        busy = honest_runs(5)
    finally:
        for b in burners:
            b.kill()
    honest_speedup = statistics.median(r["speedup"] for r in quiet)
    print(f"Machine: {describe()}\n")
    print("| submission | status | submission ms | reference ms | speedup (95% CI) | vs honest speedup | note |")
    print("|---|---|---|---|---|---|---|")
    for i, r in enumerate(quiet, 1):
        print(row(f"honest, quiet, run {i}", r, honest_speedup))
    for i, r in enumerate(busy, 1):
        print(row(f"honest, every core busy, run {i}", r, honest_speedup))
    for name in CHEATS:
        print(row(name, run(name), honest_speedup))
    print(f"\nSpread of the honest speedup over 5 runs: quiet {spread(quiet):.1%}, every core busy "
          f"{spread(busy):.1%}, all 10 together {spread(quiet + busy):.1%} of the mean.")


if __name__ == "__main__":
    main()
