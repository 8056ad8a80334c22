"""The service's timing lane: one process per server that runs the speed comparisons, one at a time.

A verdict is final and answered as soon as the cases are judged; its speed
comparison waits in the database (`timing_status='pending'`). This lane takes
them oldest first, and only while no grading is queued: at a deadline the
queue is deep, a comparison would slow every grading behind it and be noisy
itself, so it is deferred and the result says so. When it runs, it holds the
host's timing lane (`judge.lane`): reserved cores that gradings are moved off.

Each comparison is leased like a grading (`api.leases`): the lane renews it
while it measures. A lane that dies is restarted, and any host's reaper
returns what it held to pending once the lease runs out; a comparison that
takes a lane down twice is skipped with that reason (`Store.reap_timing`).
Any number of hosts may run a lane: each claims its own comparisons.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.store import Store, TimingClaim
    from api.workers import ProblemCache

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often an idle lane looks for work
LANE_PROCESS_NAME = "judge-timing"  # its /proc/PID/comm, so that operators (and tests) can tell it from workers
RESPAWN_BACKOFF_S = 2.0


@dataclass(frozen=True)
class LaneConfig:
    """What the lane process needs; plain data, so that it crosses the spawn boundary."""

    database: str
    problems_dir: str
    cap_s: float
    defer_queue: int  # queued gradings at which comparisons wait
    lease_s: float
    unsandboxed: bool = False


def deferral(queued: int, config: LaneConfig) -> str | None:
    """Why comparisons wait now, or None when the lane may run one."""
    if queued >= config.defer_queue:
        return (f"deferred: {queued} grading(s) are queued, and comparisons run only when the queue is "
                "empty so that neither slows or disturbs the other")
    return None


def time_claim(store: Store, problems: ProblemCache, claim: TimingClaim, config: LaneConfig) -> str:
    """Run one comparison and record it; returns its status, for the log."""
    from judge.timing import TimingOptions, time_submission

    options = TimingOptions(threads=1, cap_s=config.cap_s, unsandboxed=config.unsandboxed)
    try:
        timing: dict[str, Any] = time_submission(problems.get(claim.problem), claim.code, options)
    except Exception as exc:  # the judge's own failure: the verdict stands, the figure is missing
        log.exception("timing %s failed", claim.id)
        timing = {"status": "skipped", "reason": f"the judge failed to time it: {type(exc).__name__}: {exc}"}
    recorded = store.finish_timing(claim, timing)
    return str(timing["status"]) if recorded else "claim lost; comparison dropped"


def _name_process(name: str) -> None:
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def run_lane(config: LaneConfig, parent: int) -> None:
    """The lane process: take comparisons while the grading queue allows."""
    from api.leases import Heartbeat
    from api.store import Store
    from api.workers import ProblemCache, die_with_parent

    die_with_parent(parent)
    _name_process(LANE_PROCESS_NAME)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s timing-lane %(name)s: %(message)s")
    store = Store(config.database)
    problems = ProblemCache(Path(config.problems_dir))
    heartbeat = Heartbeat(config.lease_s)
    said = None
    try:
        while os.getppid() == parent:
            try:
                reason = deferral(store.counts()["queued"], config)
                if reason is not None:
                    if reason != said:
                        store.defer_timing(reason)
                        said = reason
                    time.sleep(POLL_S)
                    continue
                said = None
                claim = store.claim_timing(config.lease_s)
            except Exception:  # a busy database: look again soon
                log.exception("the timing lane could not read the queue")
                claim = None
            if claim is None:
                time.sleep(POLL_S)
                continue
            with heartbeat.holding(functools.partial(store.renew_timing, claim, config.lease_s)):
                log.info("timed %s: %s", claim.id, time_claim(store, problems, claim, config))
    finally:
        heartbeat.stop()
        store.close()


class TimingLane:
    """Keeps one lane process running beside the server; restarts it if it dies."""

    def __init__(self, config: LaneConfig) -> None:
        self._config = config
        self._context = get_context("spawn")
        self._process: BaseProcess | None = None
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="judge-timing-lane", daemon=True)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the lane; a comparison it held is measured again at the next start."""
        self._closing.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._closing.is_set():
            process = self._context.Process(target=run_lane, args=(self._config, os.getpid()),
                                            name="judge-timing-lane", daemon=True)
            process.start()
            self._process = process
            started = time.monotonic()
            while process.is_alive() and not self._closing.wait(0.5):
                pass
            if process.is_alive():  # closing
                process.kill()
                process.join(timeout=5)
                break
            log.warning("the timing lane ended with exit code %s; restarting it", process.exitcode)
            if time.monotonic() - started < 60:
                self._closing.wait(RESPAWN_BACKOFF_S)
        with contextlib.suppress(Exception):
            if self._process is not None and self._process.is_alive():
                self._process.kill()
