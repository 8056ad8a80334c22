"""How long a teaching assistant waits for a class: `judge run` serial (-j 1) against parallel (-j N).

The class is every shipped solution of one problem (correct and wrong), each
handed in twice: once as a .py file and once as a one-cell notebook, so that
both readers are in the path. Both settings run the real CLI in a subprocess,
interleaved (serial, parallel, serial, ...), timing off; the figure is each
setting's median wall time and their ratio, measured side by side in one run.
`--busy` runs a CPU burner on one core throughout, as at a deadline.

Usage: python benchmarks/class_grading.py [--problem SLUG] [--repeats 3] [--jobs 2] [--busy]
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from machine import describe  # noqa: E402

from judge.problem import get_problem  # noqa: E402


def build_class(slug: str, root: Path) -> int:
    solutions = get_problem(slug).folder / "solutions"
    count = 0
    for path in sorted(solutions.glob("*/*.py")):
        name = f"{path.parent.name}-{path.stem}"
        shutil.copy(path, root / f"{name}.py")
        book = nbformat.v4.new_notebook()
        book.cells = [nbformat.v4.new_code_cell(path.read_text(encoding="utf-8"))]
        nbformat.write(book, str(root / f"{name}-nb.ipynb"))
        count += 2
    return count


def _burn() -> None:
    while True:
        pass


def run(slug: str, root: Path, jobs: int, secret: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "judge", "run", slug, str(root), "--no-timing", "-j", str(jobs),
                           "--secret-file", str(secret), "--json"], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"judge run failed ({done.returncode}): {done.stderr[-500:]}")
    verdicts = "".join(line.split('"verdict": "')[1][:2] for line in done.stdout.splitlines() if '"verdict"' in line)
    return seconds, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="cross-attention")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--busy", action="store_true", help="keep one core busy throughout")
    args = parser.parse_args()
    burner = multiprocessing.Process(target=_burn, daemon=True) if args.busy else None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "class"
        root.mkdir()
        students = build_class(args.problem, root)
        secret = Path(tmp) / "secret"
        if burner is not None:
            burner.start()
        try:
            times: dict[int, list[float]] = {1: [], args.jobs: []}
            seen: set[str] = set()
            for _ in range(args.repeats):
                for jobs in (1, args.jobs):
                    seconds, verdicts = run(args.problem, root, jobs, secret)
                    times[jobs].append(seconds)
                    seen.add(verdicts)
        finally:
            if burner is not None:
                burner.terminate()
    serial, parallel = statistics.median(times[1]), statistics.median(times[args.jobs])
    print(f"machine: {describe()}{' (one core kept busy)' if args.busy else ''}")
    print(f"class: {students} hand-ins of {args.problem} (.py and .ipynb), timing off, {args.repeats} runs each")
    print("| setting | median wall time | per student | runs |")
    print("|---|---|---|---|")
    for jobs, label in ((1, "-j 1 (serial)"), (args.jobs, f"-j {args.jobs}")):
        med = statistics.median(times[jobs])
        print(f"| {label} | {med:.1f} s | {med / students * 1e3:.0f} ms | "
              f"{', '.join(f'{t:.1f}' for t in times[jobs])} |")
    print(f"speed-up of -j {args.jobs} over -j 1: {serial / parallel:.2f}x; verdicts identical in every run: "
          f"{len(seen) == 1}")


if __name__ == "__main__":
    main()
