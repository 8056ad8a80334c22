"""`judge bench`: how fast the references are, in seconds, GFLOP/s and fraction of matmul rate.

Each implementation is timed at the problem's benchmark shape and two larger
ones (batch x2 and x4). The matmul rate it is measured against is a large
square GEMM at the same dtype, device and thread count, timed in the same run.
On CUDA, each timed call is preceded by a 256 MiB write that flushes the L2
cache and is bracketed by CUDA events after a device-wide synchronize; TF32 is
off throughout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import numpy as np

from judge.problem import Problem, discover
from judge.settings import JudgeSettings
from judge.timing import timing_inputs

REPEATS = 7


@contextlib.contextmanager
def pinned_threads(threads: int) -> Iterator[None]:
    """Run in-process Torch and BLAS on exactly `threads` threads, then restore."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


@dataclass
class BenchRow:
    """One implementation at one shape."""

    problem: str
    implementation: str  # "numpy-reference" or "torch-reference"
    device: str
    dtype: str
    threads: int
    shape: dict[str, int]
    seconds: float  # median per call
    gflops: float
    fraction_of_matmul: float  # gflops / the measured GEMM rate at the same dtype, device, threads


def bench_shapes(problem: Problem) -> list[dict[str, int]]:
    """The benchmark shape and two larger ones (batch doubled and quadrupled)."""
    base = problem.benchmark_dims
    batch = problem.arguments[0].shape[0]
    return [base, {**base, batch: base[batch] * 2}, {**base, batch: base[batch] * 4}]


def _samples(call: Callable[[], Any]) -> list[float]:
    call()  # warm-up
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _median_seconds(call: Callable[[], Any]) -> float:
    return float(np.median(_samples(call)))


def _best_seconds(call: Callable[[], Any]) -> float:
    """The matmul rate is a peak: its best run, so that a noisy moment cannot lower it."""
    return min(_samples(call))


def numpy_matmul_gflops(dtype: type[np.floating[Any]], size: int = 1024) -> float:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((size, size)).astype(dtype), rng.standard_normal((size, size)).astype(dtype)
    return 2 * size**3 / _best_seconds(lambda: a @ b) / 1e9


def torch_cpu_matmul_gflops(size: int = 1024) -> float:
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    return 2 * size**3 / _best_seconds(lambda: a @ b) / 1e9


def _cuda_timer() -> Callable[[Callable[[], Any]], float]:
    """Median seconds of a CUDA call: L2 flushed, events around it, device synchronized."""
    import torch

    flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")

    def timed(call: Callable[[], Any]) -> float:
        call()
        torch.cuda.synchronize()
        samples = []
        for _ in range(REPEATS):
            flush.zero_()
            start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            torch.cuda.synchronize()
            start.record()
            call()
            end.record()
            torch.cuda.synchronize()
            samples.append(start.elapsed_time(end) / 1e3)
        return float(np.median(samples))

    return timed


def bench_problem(problem: Problem, threads: int) -> list[BenchRow]:
    """Time the NumPy reference (float64, CPU) and the Torch reference (float32, CPU and CUDA)."""
    import torch

    from reference.torch_blocks import as_tensor, disable_tf32

    disable_tf32()
    rows: list[BenchRow] = []
    numpy_ref, torch_ref = problem.reference_function(), problem.torch_function()
    rng = np.random.default_rng(0)
    with pinned_threads(threads):
        rates = {"float64": numpy_matmul_gflops(np.float64), "float32": torch_cpu_matmul_gflops()}
        for dims in bench_shapes(problem):
            inputs = timing_inputs(problem, dims, rng)
            gflop = _gflop(problem, dims)
            for name, dtype, call in (
                ("numpy-reference", "float64", partial(numpy_ref, **inputs)),
                ("torch-reference", "float32", partial(_on_cpu, torch_ref, inputs)),
            ):
                seconds = _median_seconds(call)
                rows.append(BenchRow(problem.slug, name, "cpu", dtype, threads, dims, seconds,
                                     gflop / seconds, gflop / seconds / rates[dtype]))
    if torch.cuda.is_available():
        timed = _cuda_timer()
        size = 8192
        a, b = torch.randn(size, size, device="cuda"), torch.randn(size, size, device="cuda")
        gpu_rate = 2 * size**3 / timed(lambda: a @ b) / 1e9
        device = f"cuda ({torch.cuda.get_device_name(0)})"
        for dims in bench_shapes(problem):
            inputs = {k: as_tensor(v) if isinstance(v, np.ndarray) else v
                      for k, v in timing_inputs(problem, dims, rng).items()}
            gflop = _gflop(problem, dims)
            seconds = timed(partial(torch_ref, **inputs))
            rows.append(BenchRow(problem.slug, "torch-reference", device, "float32", 0, dims, seconds,
                                 gflop / seconds, gflop / seconds / gpu_rate))
    return rows


def _gflop(problem: Problem, dims: dict[str, int]) -> float:
    """The block's GFLOP at `dims`; NaN where the folder gives no FLOP count (rates are then NaN too)."""
    flops = problem.flops_at(dims)
    return flops / 1e9 if flops is not None else float("nan")


def _on_cpu(torch_ref: Callable[..., Any], inputs: dict[str, Any]) -> Any:
    """The Torch reference forced onto the CPU even when a GPU is present."""
    import torch

    from reference import torch_blocks

    original = torch_blocks.default_device
    torch_blocks.default_device = lambda: torch.device("cpu")
    try:
        return torch_ref(**inputs)
    finally:
        torch_blocks.default_device = original


def cmd_bench(args: argparse.Namespace, settings: JudgeSettings) -> int:
    from judge.usage import UsageError

    problems = discover(settings.problems_dir)
    if args.slug and args.slug not in problems:
        raise UsageError(f"unknown problem {args.slug!r}; known problems: {', '.join(problems)}")
    chosen = [problems[args.slug]] if args.slug else list(problems.values())
    rows = [row for problem in chosen for row in bench_problem(problem, args.threads or settings.threads)]
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(markdown_table(rows))
    return 0


def markdown_table(rows: list[BenchRow]) -> str:
    lines = ["| problem | implementation | device | dtype | threads | shape | ms | GFLOP/s | of matmul |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        shape = " ".join(f"{k}={v}" for k, v in r.shape.items())
        lines.append(f"| {r.problem} | {r.implementation} | {r.device} | {r.dtype} | {r.threads or '-'} | {shape} "
                     f"| {r.seconds * 1e3:.1f} | {r.gflops:.1f} | {r.fraction_of_matmul:.0%} |")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="time the NumPy and Torch references (GFLOP/s, fraction of matmul rate)")
    p.add_argument("slug", nargs="?", help="one problem (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON list of rows")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: JUDGE_THREADS, 1)")
    p.set_defaults(handler=cmd_bench)
