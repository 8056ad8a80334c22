"""The references' speed table for the README: `judge bench` for every problem, with the machine named.

Usage: python benchmarks/reference_speed.py [--threads N]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from judge.bench import bench_problem, markdown_table
from judge.problem import discover


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rows = [row for problem in discover().values() for row in bench_problem(problem, args.threads)]
    print(f"Machine: {describe()}\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
