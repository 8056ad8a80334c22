"""Gradings per second with one and with two worker hosts, against one PostgreSQL on loopback.

Starts a throwaway PostgreSQL (`tests/postgres.py`), one API host (`judge serve`
with no workers) and N worker hosts (`judge work --workers 1`, each its own
process group and host identity). Then `--clients` concurrent clients send
`--requests` correct cross-attention submissions with `?wait=true` and timing
off. Reports throughput (gradings over the wall time of the burst) and the
p50/p95 latency per request. The configurations alternate, `--rounds` times each,
in one run, so that both meet the same machine.

On a 2-core machine, two worker hosts of one worker each is all the cores; the
API host and PostgreSQL share them. `--busy N` keeps N CPU-bound processes running
throughout, as at a deadline when the machine does other work too. Usage:

    python benchmarks/scale_out.py [--requests 40] [--clients 8] [--rounds 2] [--busy 0]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe  # noqa: E402

from tests.api.live import Server, WorkHost  # noqa: E402
from tests.postgres import TempPostgres  # noqa: E402

CODE = (ROOT / "problems" / "cross-attention" / "solutions" / "correct" / "numpy_float32.py").read_text()


def burst(api: Server, token: str, requests: int, clients: int) -> tuple[float, list[float]]:
    """(gradings per second, each request's latency in seconds)."""

    def one(_: int) -> float:
        started = time.perf_counter()
        status, body, _headers = api.request("POST", "/submissions?wait=true",
                                             {"problem": "cross-attention", "code": CODE, "timing": False}, token)
        if status != 200 or body["verdict"] != "Accepted":
            raise RuntimeError(f"expected a 200 Accepted, got {status}: {body}")
        return time.perf_counter() - started

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - began), latencies


def measure(postgres: TempPostgres, root: Path, hosts: int, round_no: int, args: argparse.Namespace
            ) -> tuple[float, list[float]]:
    url = postgres.fresh_database(f"bench_{hosts}_{round_no}")
    common = {"database_url": url, "secret": "benchmark", "timing_lane": "false",
              "max_queue": "1000", "wait_timeout_s": "300"}
    api = Server(root / f"api-{hosts}-{round_no}", workers=0, host_id="api", **common)
    workers = [WorkHost(root / f"grader-{hosts}-{round_no}-{i}", workers=1, host_id=f"grader-{i}", **common)
               for i in range(hosts)]
    try:
        api.start()
        for host in workers:
            host.start()
        for host in workers:
            host.wait_ready()
        token = api.judge("token", "create", "--name", "bench")
        burst(api, token, 4, min(4, args.clients))  # warm: first gradings pay for caches
        return burst(api, token, args.requests, args.clients)
    finally:
        for host in workers:
            host.stop()
        api.stop()


@contextlib.contextmanager
def busy(processes: int):  # type: ignore[no-untyped-def]
    """`processes` spinning Python processes for the duration of the block."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes running throughout")
    args = parser.parse_args()
    results: dict[int, list[tuple[float, list[float]]]] = {1: [], 2: []}
    with TempPostgres() as postgres, tempfile.TemporaryDirectory(prefix="judge-scale-") as tmp, busy(args.busy):
        for round_no in range(args.rounds):
            for hosts in (1, 2):
                rate, latencies = measure(postgres, Path(tmp), hosts, round_no, args)
                results[hosts].append((rate, latencies))
                print(f"round {round_no + 1}, {hosts} worker host(s): {rate:.2f} gradings/s", file=sys.stderr)
    print(f"Machine: {describe()}; PostgreSQL {TempPostgres.version()} on loopback; "
          f"{args.requests} requests from {args.clients} clients per round, {args.rounds} rounds, timing off, "
          f"{args.busy} CPU-bound process(es) beside.\n")
    print("| worker hosts (1 worker each) | throughput (gradings/s), per round | p50 latency (s) | p95 latency (s) |")
    print("|---|---|---|---|")
    for hosts, runs in results.items():
        latencies = sorted(x for _, run in runs for x in run)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        rates = ", ".join(f"{rate:.2f}" for rate, _ in runs)
        print(f"| {hosts} | {rates} | {statistics.median(latencies):.3f} | {p95:.3f} |")
    one = statistics.mean(rate for rate, _ in results[1])
    two = statistics.mean(rate for rate, _ in results[2])
    print(f"\nTwo worker hosts over one: {two / one:.2f}x throughput.")


if __name__ == "__main__":
    main()
