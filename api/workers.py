"""Local grading workers: warm processes that claim submissions from the store and grade them.

Each worker imports the judge, NumPy and Torch and loads the problems before it
claims anything, so a grading pays only for its own sandbox. A supervisor thread
in the server restarts a worker that dies and puts its submission back in the
queue; a server that dies is recovered at its next start (`Store.recover`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

log = logging.getLogger(__name__)
POLL_S = 0.05


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs; plain data, so that it crosses the spawn boundary."""

    database: str
    problems_dir: str
    secret: str
    threads: int
    timing_budget_s: float
    max_attempts: int


def worker_name(index: int, pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{index}"


def work(index: int, config: WorkerConfig, stop: Event) -> None:
    """A worker's whole life: warm up, then claim and grade until told to stop."""
    from pathlib import Path

    import torch  # noqa: F401 - imported now so that the first timed grading does not pay for it

    from api.store import Store
    from judge.grader import GradeOptions, grade
    from judge.problem import discover
    from judge.verdicts import Verdict

    store = Store(config.database)
    problems = discover(Path(config.problems_dir))
    name = worker_name(index, os.getpid())
    while not stop.is_set():
        submission = store.claim(name)
        if submission is None:
            time.sleep(POLL_S)
            continue
        options = GradeOptions(secret=config.secret, timing=submission.timing, threads=config.threads,
                               slot=index, timing_budget_s=config.timing_budget_s)
        problem = problems.get(submission.problem)
        if problem is None:  # the problem was removed after the submission was accepted
            store.finish(submission.id, name, "Internal Error",
                         {"verdict": "Internal Error", "details": ["the problem no longer exists"]}, retry=False)
            continue
        result = grade(problem, submission.code, options)
        retry = result.verdict is Verdict.INTERNAL_ERROR and submission.attempts < config.max_attempts
        store.finish(submission.id, name, str(result.verdict), result.to_dict(), retry=retry)


class WorkerPool:
    """Starts `count` workers, restarts any that die, and requeues what they held."""

    def __init__(self, count: int, config: WorkerConfig) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._config = config
        self._stop = self._context.Event()
        self._processes: list[Any] = [None] * count
        self._supervisor = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)
        self._closing = threading.Event()

    def start(self) -> None:
        for index in range(len(self._processes)):
            self._spawn(index)
        self._supervisor.start()

    def _spawn(self, index: int) -> None:
        process = self._context.Process(target=work, args=(index, self._config, self._stop),
                                        name=f"judge-worker-{index}", daemon=True)
        process.start()
        self._processes[index] = process

    def _supervise(self) -> None:
        from api.store import Store

        store = Store(self._config.database)
        while not self._closing.wait(0.5):
            for index, process in enumerate(self._processes):
                if process is not None and not process.is_alive():
                    released = store.release(worker_name(index, process.pid))
                    log.warning("worker %d died (exit %s); %d submission(s) requeued", index, process.exitcode,
                                released)
                    self._spawn(index)

    @property
    def size(self) -> int:
        return len(self._processes)

    def stop(self) -> None:
        self._closing.set()
        self._stop.set()
        for process in self._processes:
            if process is not None:
                process.join(timeout=15)
                if process.is_alive():
                    process.kill()
