"""Latency and throughput of the real service: `judge serve` on loopback with a temporary data directory.

- p50/p95 latency of `POST /submissions?wait=true` for a correct cross-attention
  submission, one client at a time (timing off and on);
- throughput with 16 concurrent clients (timing off).

Usage: python benchmarks/service_latency.py [--requests 30] [--workers N]
"""

import argparse
import json
import os
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
CODE = (ROOT / "problems" / "cross-attention" / "solutions" / "correct" / "numpy_float32.py").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, token: str, timing: bool) -> tuple[float, str]:
    body = json.dumps({"problem": "cross-attention", "code": CODE, "timing": timing}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/submissions?wait=true", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        verdict = json.loads(response.read()).get("verdict", "?")
    return time.perf_counter() - start, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="judge-bench-"))
    port = _free_port()
    env = {**os.environ, "JUDGE_DATA_DIR": str(data), "JUDGE_WORKERS": str(args.workers),
           "JUDGE_RATE_LIMIT_PER_MINUTE": "100000", "JUDGE_MAX_QUEUE": "10000"}
    token = subprocess.run([sys.executable, "-m", "judge.cli", "token", "create", "--name", "bench"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen([sys.executable, "-m", "judge.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        _post(port, token, False)  # warm-up
        rows = []
        for timing in (False, True):
            latencies = [_post(port, token, timing)[0] for _ in range(args.requests)]
            q = statistics.quantiles(latencies, n=20)
            rows.append((f"sequential, timing {'on' if timing else 'off'}", statistics.median(latencies), q[18],
                         len(latencies) / sum(latencies)))
        start = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda _: _post(port, token, False), range(args.requests * 2)))
        elapsed = time.perf_counter() - start
        latencies = [r[0] for r in results]
        assert all(r[1] == "Accepted" for r in results), results
        q = statistics.quantiles(latencies, n=20)
        rows.append(("16 concurrent clients, timing off", statistics.median(latencies), q[18], len(results) / elapsed))
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    print(f"Machine: {describe()}; {args.workers} worker(s)\n")
    print("| load | p50 latency s | p95 latency s | throughput (gradings/s) |")
    print("|---|---|---|---|")
    for name, p50, p95, rate in rows:
        print(f"| {name} | {p50:.3f} | {p95:.3f} | {rate:.2f} |")


if __name__ == "__main__":
    main()
