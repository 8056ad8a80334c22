"""Latency and throughput of the real service: `judge serve` on a free loopback port, a temporary data directory.

- p50/p95 latency of `POST /submissions?wait=true` for a correct cross-attention
  submission (answered at the verdict), one client at a time and with 16
  concurrent clients, each with the speed comparison off and on;
- the spread of that one file's speedup over its repeated gradings, sequentially
  and at 16 concurrent clients, once the timing lane has measured them all.

Prints a Markdown table, with the machine named. Usage:

    python benchmarks/service_latency.py [--requests 30] [--workers N] [--clients 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "problems" / "cross-attention" / "solutions" / "correct"

# used when the problem folder has no NumPy solution to borrow
FALLBACK = """\
import numpy as np


def _ln(x):
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + np.float32(1e-5))


def _gelu(t):
    c = np.float32(np.sqrt(2 / np.pi))
    return np.float32(0.5) * t * (1 + np.tanh(c * (t + np.float32(0.044715) * t**3)))


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    n, t, d = decoder_x.shape
    s = encoder_out.shape[1]
    dh = d // num_heads
    q = (decoder_x @ w_q).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    k = (encoder_out @ w_k).reshape(n, s, num_heads, dh).transpose(0, 2, 1, 3)
    v = (encoder_out @ w_v).reshape(n, s, num_heads, dh).transpose(0, 2, 1, 3)
    a = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh))
    a = np.exp(a - a.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    x = _ln(decoder_x + (a @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o)
    return _ln(x + _gelu(x @ w_mlp1) @ w_mlp2)
"""


def correct_solution() -> tuple[str, str]:
    """(source, where it came from): a NumPy solution from the problem folder, else FALLBACK."""
    preferred = SOLUTIONS / "numpy_float32.py"
    for path in [preferred, *sorted(SOLUTIONS.glob("numpy*.py"))]:
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
    return FALLBACK, "the benchmark's own NumPy solution"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """`judge serve` with a temporary data directory, stopped and cleaned up on exit."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="judge-bench-"))
        self.env = {**os.environ, "JUDGE_DATA_DIR": str(self.data), "JUDGE_WORKERS": str(workers),
                    "JUDGE_RATE_LIMIT_PER_MINUTE": "1000000", "JUDGE_MAX_QUEUE": "100000",
                    "JUDGE_MAX_PENDING_PER_OWNER": "100000",  # one token plays every client
                    "JUDGE_WAIT_TIMEOUT_S": "300"}
        self.env.pop("JUDGE_DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        self.token = subprocess.run([sys.executable, "-m", "judge.cli", "token", "create", "--name", "bench"],
                                    env=self.env, capture_output=True, text=True, check=True).stdout.strip()
        self.process = subprocess.Popen([sys.executable, "-m", "judge.cli", "serve", "--port", str(self.port),
                                         "--log-level", "warning"], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as answer:
                    if json.loads(answer.read())["workers_ready"] == self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("judge serve did not become ready")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.data, ignore_errors=True)

    def get(self, submission_id: str) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/submissions/{submission_id}",
                                         headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return dict(json.loads(answer.read()))

    def final_timings(self, ids: list[str]) -> list[dict]:
        """Each submission's speed comparison once the lane is done with it."""
        done = []
        for submission_id in ids:
            while (timing := self.get(submission_id)["timing"])["status"] in ("pending", "running"):
                time.sleep(0.5)
            done.append(timing)
        return done

    def submit(self, code: str, timing: bool) -> tuple[float, str]:
        """(seconds from sending POST ?wait=true to holding the Accepted result, its id)."""
        body = json.dumps({"problem": "cross-attention", "code": code, "timing": timing}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/submissions?wait=true", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as answer:
            status, result = answer.status, json.loads(answer.read())
        elapsed = time.perf_counter() - start
        if status != 200 or result.get("verdict") != "Accepted":
            raise SystemExit(f"expected 200 Accepted, got {status} {result.get('verdict')}: {result}")
        return elapsed, str(result["id"])


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def spread(timings: list[dict]) -> str:
    """(max - min) / mean of the speedups that were measured, and how many were."""
    speedups = [t["speedup"] for t in timings if t["status"] == "done"]
    if not speedups:
        return "no figure: " + "; ".join(sorted({t.get("reason", "") for t in timings}))[:200]
    samples = sorted(t["samples"] for t in timings if t["status"] == "done")
    width = (max(speedups) - min(speedups)) / statistics.mean(speedups)
    return (f"{len(speedups)}/{len(timings)} measured; speedup {min(speedups):.3f}-{max(speedups):.3f}, "
            f"spread {width:.1%}; pairs per figure {samples[0]}-{samples[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="requests per sequential row")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="JUDGE_WORKERS")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in the last rows")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server (its own session) on the way out
    code, source = correct_solution()
    rows, spreads = [], []
    with Service(args.workers) as service:
        warm = [service.submit(code, timing=True)[1] for _ in range(max(2, args.workers))]
        service.final_timings(warm)  # each worker's first sandbox and the lane's first comparison
        for timing in (False, True):
            answers = [service.submit(code, timing) for _ in range(args.requests)]
            latencies = [seconds for seconds, _ in answers]
            rows.append((f"1 client, timing {'on' if timing else 'off'}", len(latencies), *percentiles(latencies),
                         len(latencies) / sum(latencies)))
            if timing:
                spreads.append(("sequential", spread(service.final_timings([i for _, i in answers]))))
        for timing in (False, True):
            total = args.clients * 2
            start = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                answers = list(pool.map(lambda _, t=timing: service.submit(code, t), range(total)))
            elapsed = time.perf_counter() - start
            latencies = [seconds for seconds, _ in answers]
            rows.append((f"{args.clients} concurrent clients, timing {'on' if timing else 'off'}", total,
                         *percentiles(latencies), total / elapsed))
            if timing:
                spreads.append((f"{args.clients} concurrent clients",
                                spread(service.final_timings([i for _, i in answers]))))
    print(f"Machine: {describe()}; nproc {len(os.sched_getaffinity(0))}; `judge serve` with {args.workers} "
          f"worker(s) and its timing lane, SQLite; submission: {source}\n")
    print("| load | requests | p50 latency (s) | p95 latency (s) | throughput (gradings/s) |")
    print("|---|---|---|---|---|")
    for name, count, p50, p95, rate in rows:
        print(f"| {name} | {count} | {p50:.3f} | {p95:.3f} | {rate:.2f} |")
    print("\n| one file graded repeatedly | its speed figures |\n|---|---|")
    for name, text in spreads:
        print(f"| {name} | {text} |")


if __name__ == "__main__":
    main()
