"""Local grading workers: pre-started processes that claim submissions from the store and grade them.

Each worker is a `spawn`ed process that imports the judge, NumPy and Torch and
loads every problem before it says it is ready, so a grading pays only for its
own sandbox. Each grading leases its own sandbox uid and cgroup, and runs on one thread.

The database decides who grades what (`Store.claim`), and each claim is
leased: a heartbeat thread in the worker renews it while it grades, so that if
this whole host dies the other hosts' reapers take the work back
(`api.leases`). The pipes between the host process and its workers only carry
hints, so that nobody waits for a poll:

    server -> worker   "wake"  (a submission was queued)    "stop"
    worker -> server   ("ready", pid)   ("idle",)   ("grading", submission_id, watchdog_s)   ("done", submission_id)

A worker that hears nothing still looks at the queue every `IDLE_POLL_S`, so a
lost hint costs latency, never a submission. A dispatcher thread in the server
reads the pipes, wakes idle workers, passes "done" on (to this host's
`?wait=true` requests), and restarts a worker that dies (SIGKILL included),
putting what it held back in the queue at once rather than when its lease ends.

The dispatcher is also every grading's last watchdog. A worker announces each
grading with its deadline (`judge.grader.watchdog_seconds`); a worker still on
it past that deadline and a margin is killed, its sandbox dies with it
(`--die-with-parent`, and the next worker's start removes its cgroups), and the
attempt counts: after `max_attempts` the submission gets Time Limit Exceeded
instead of wedging worker after worker.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_connections
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.leases import Heartbeat, worker_identity

if TYPE_CHECKING:
    from api.store import Claim, Store
    from judge.grader import GradeOptions
    from judge.problem import Problem
    from judge.verdicts import GradeResult

log = logging.getLogger(__name__)

IDLE_POLL_S = 1.0  # an idle worker looks at the queue this often even without a hint
RESPAWN_BACKOFF_S = 2.0  # a worker that dies within a minute of its start waits this long to come back
STOP_GRACE_S = 20.0  # on shutdown, how long a worker may take to finish the grading it holds
WATCHDOG_MARGIN_S = 15.0  # past the grading's own watchdog, before the dispatcher kills the worker

Grade = Callable[["Problem", str, "GradeOptions"], "GradeResult"]


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs; plain data, so that it crosses the spawn boundary."""

    database: str
    problems_dir: str
    secret: str
    max_attempts: int
    identity: str  # this host process's `api.leases.host_identity`; each worker appends its slot
    lease_s: float
    unsandboxed: bool = False  # the operator's explicit choice; never a fallback


class ProblemCache:
    """Problems loaded once, with their cases' expected outputs computed ahead of the first grading.

    A problem that fails to load is left out (its submissions then end in an
    Internal Error, retried like any other); a slug added after start-up is
    loaded when first asked for, and a folder edited since it was loaded is
    loaded again (its expected outputs are then computed afresh).
    """

    def __init__(self, root: Path, secret: str | None = None) -> None:
        from judge.problem import catalogue

        self.root = root
        found = catalogue(root)
        self.problems: dict[str, Problem] = dict(found.problems)
        from judge.problem_code import folder_signature

        self._signatures = {slug: folder_signature(p.folder) for slug, p in self.problems.items()}
        for folder, why in found.broken.items():
            log.error("problem folder %s left out: %s", folder, why)
        if secret is not None:
            self._warm(secret)

    def _warm(self, secret: str) -> None:
        """Compute every case's reference output and tolerance now (judge.expected keeps them)."""
        from judge.cases import make_cases
        from judge.expected import expected_for

        for problem in self.problems.values():
            try:
                for case in make_cases(problem, secret):
                    expected_for(problem, case)
            except Exception:  # its gradings will report it; the worker must start anyway
                log.exception("could not precompute the expected outputs of %s", problem.slug)

    def get(self, slug: str) -> Problem:
        """The problem; raises judge.problem.UnknownProblem (or ProblemError) when it cannot be loaded."""
        from judge.problem_code import folder_signature

        known = self.problems.get(slug)
        if known is None or self._signatures.get(slug) != folder_signature(known.folder):
            from judge.problem import get_problem

            problem = get_problem(slug, self.root)
            self._signatures[slug] = folder_signature(problem.folder)
            self.problems[slug] = problem
        return self.problems[slug]


def _failure(slug: str, why: str) -> dict[str, Any]:
    """A GradeResult-shaped dict for a grading that could not run at all."""
    from judge.verdicts import GradeResult, Verdict

    return GradeResult(problem=slug, verdict=Verdict.INTERNAL_ERROR, score=0.0, cases=[], sandbox="",
                       details=[why]).to_dict()


def grade_claim(store: Store, problems: ProblemCache, claim: Claim, config: WorkerConfig,
                grade: Grade | None = None) -> str:
    """Grade one claimed submission and record the outcome; returns what happened, for the log.

    An Internal Error goes back in the queue until the submission has been
    tried `max_attempts` times; then it is reported like any other verdict.
    """
    from judge.grader import GradeOptions
    from judge.grader import grade as real_grade

    grade = grade or real_grade
    options = GradeOptions(secret=config.secret, timing=claim.timing, threads=1, unsandboxed=config.unsandboxed)
    try:
        result = grade(problems.get(claim.problem), claim.code, options).to_dict()
    except Exception as exc:  # the judge's own failure: never the student's
        log.exception("grading %s failed", claim.id)
        result = _failure(claim.problem, f"internal error: {type(exc).__name__}: {exc}")
    verdict = str(result["verdict"])
    if verdict == "Internal Error" and claim.attempts < config.max_attempts:
        store.retry(claim)
        return f"retry after attempt {claim.attempts}"
    return verdict if store.finish(claim, verdict, result) else "claim lost; verdict dropped"


def _watchdog(problems: ProblemCache, claim: Claim, config: WorkerConfig) -> float:
    """How long this grading may take before the dispatcher kills its worker."""
    from judge.grader import watchdog_seconds

    try:
        problem = problems.get(claim.problem)
    except Exception:  # it will fail fast with an Internal Error; a default bound is enough
        return 120.0 + WATCHDOG_MARGIN_S
    return watchdog_seconds(problem) + WATCHDOG_MARGIN_S


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this worker when the server dies, so no orphan keeps grading."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the server died before the request took effect
        os._exit(0)


def work(index: int, config: WorkerConfig, conn: Connection, parent: int) -> None:
    """A worker's whole life: warm up, say ready, then claim and grade until told to stop."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server decides
    logging.basicConfig(level=logging.WARNING,
                        format=f"%(asctime)s %(levelname)s worker-{index} %(name)s: %(message)s")
    import numpy  # noqa: F401 - warm imports: the first grading must not pay for them
    import torch  # noqa: F401

    import judge.grader  # noqa: F401
    from api.store import Store

    store = Store(config.database)
    problems = ProblemCache(Path(config.problems_dir), secret=config.secret)
    name = worker_identity(config.identity, index)
    heartbeat = Heartbeat(config.lease_s)
    log.info("worker %s ready (%d problems)", name, len(problems.problems))
    try:
        conn.send(("ready", os.getpid()))
        idle_said = False
        while True:
            while conn.poll(0):  # hints that came while grading
                if conn.recv() == "stop":
                    return
            try:
                claim = store.claim(name, config.lease_s)
            except Exception:  # a locked or unreachable database: try again soon
                log.exception("worker %s could not claim", name)
                claim = None
                time.sleep(IDLE_POLL_S)
            if claim is not None:
                conn.send(("grading", claim.id, _watchdog(problems, claim, config)))
                with heartbeat.holding(functools.partial(store.renew, claim, config.lease_s)):
                    outcome = grade_claim(store, problems, claim, config)
                log.info("worker %s graded %s: %s", name, claim.id, outcome)
                conn.send(("done", claim.id))
                idle_said = False
                continue
            if not idle_said:
                conn.send(("idle",))
                idle_said = True
            if conn.poll(IDLE_POLL_S):
                if conn.recv() == "stop":
                    return
                idle_said = False  # woken: look, and say idle again if someone else took it
    except (EOFError, OSError):  # the server is gone
        return
    finally:
        heartbeat.stop()
        store.close()


@dataclass
class _Slot:
    index: int
    process: BaseProcess | None = None
    conn: Connection | None = None
    pid: int = 0
    started: float = 0.0
    ready: bool = False
    idle: bool = False
    respawn_at: float = 0.0
    grading: str | None = None  # the submission it announced, until it says done
    overran: bool = False  # killed by the watchdog: what it held ends as Time Limit Exceeded once out of attempts
    deadline: float = 0.0  # time.monotonic() past which the dispatcher kills it
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class WorkerPool:
    """`count` warm workers (0: none, for a host that only serves HTTP), a dispatcher thread that hints them
    and restarts any that die. `on_done(submission_id)` hears each verdict its workers write."""

    def __init__(self, count: int, config: WorkerConfig, store: Store,
                 on_done: Callable[[str], None] | None = None) -> None:
        self._context = get_context("spawn")
        self._config = config
        self._store = store
        self._on_done = on_done
        self._slots = [_Slot(i) for i in range(count)]
        self._lock = threading.Lock()  # slots' idle flags
        self._closing = threading.Event()
        self._all_ready = threading.Event()
        if not self._slots:
            self._all_ready.set()
        self._thread = threading.Thread(target=self._run, name="judge-dispatcher", daemon=True)

    # the server's side ------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self._slots)

    @property
    def ready(self) -> int:
        return sum(s.ready for s in self._slots)

    def start(self, timeout: float = 180.0) -> bool:
        """Start the workers and wait (bounded) until every one is warm; False if some are not yet."""
        if not self._slots:
            return True
        self._thread.start()  # the workers are children of this thread: see die_with_parent
        return self._all_ready.wait(timeout)

    def notify(self) -> None:
        """A submission was queued: wake one idle worker, if any (busy ones look when they finish)."""
        with self._lock:
            slot = next((s for s in self._slots if s.idle and s.conn is not None), None)
            if slot is None:
                return
            slot.idle = False
        self._send(slot, "wake")

    def stop(self) -> None:
        """Let every worker finish what it holds (bounded), then end them; whatever is left is requeued."""
        self._closing.set()
        if self._thread.is_alive():
            self._thread.join()

    # the dispatcher thread --------------------------------------------------------------------

    def _run(self) -> None:
        for slot in self._slots:
            self._spawn(slot)
        try:
            while not self._closing.is_set():
                listening = [(s.conn, s) for s in self._slots if s.conn is not None]
                by_connection = {id(conn): (conn, slot) for conn, slot in listening}
                for readable in wait_for_connections([conn for conn, _ in listening], timeout=0.25):
                    conn, slot = by_connection[id(readable)]
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        self._buried(slot)
                        continue
                    self._handle(slot, message)
                moment = time.monotonic()
                for slot in self._slots:
                    if slot.grading is not None and slot.process is not None and moment > slot.deadline:
                        self._overran(slot)
                    if slot.process is not None and not slot.process.is_alive():
                        self._buried(slot)
                    if slot.process is None and moment >= slot.respawn_at:
                        self._spawn(slot)
        except Exception:  # pragma: no cover - the dispatcher must not die silently
            log.exception("the worker dispatcher failed")
        finally:
            self._shutdown()

    def _spawn(self, slot: _Slot) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=work, args=(slot.index, self._config, theirs, os.getpid()),
                                        name=f"judge-worker-{slot.index}", daemon=True)
        process.start()
        theirs.close()
        slot.process, slot.conn, slot.pid = process, ours, process.pid or 0
        slot.started, slot.ready, slot.idle = time.monotonic(), False, False

    def _handle(self, slot: _Slot, message: Any) -> None:
        kind = message[0] if isinstance(message, tuple) and message else None
        if kind == "ready":
            slot.ready = True
            if all(s.ready for s in self._slots):
                self._all_ready.set()
        elif kind == "idle":
            with self._lock:
                slot.idle = True
            try:
                queued = self._store.counts()["queued"]
            except Exception:  # a busy database: the worker polls anyway
                log.exception("could not count the queue")
                queued = 0
            if queued:  # work arrived between its last look and its saying so
                with self._lock:
                    slot.idle = False
                self._send(slot, "wake")
        elif kind == "grading":
            slot.grading, slot.deadline = str(message[1]), time.monotonic() + float(message[2])
        elif kind == "done":
            slot.grading = None
            if self._on_done is not None:
                self._on_done(str(message[1]))

    def _send(self, slot: _Slot, message: str) -> None:
        with slot.send_lock:
            if slot.conn is None:
                return
            with contextlib.suppress(OSError, ValueError):  # it died: the dispatcher will notice
                slot.conn.send(message)

    def _overran(self, slot: _Slot) -> None:
        """A grading outlived its watchdog: kill its worker; the release counts the attempt."""
        log.error("worker %d ran past the watchdog grading %s: killing it", slot.index, slot.grading)
        slot.overran = True
        if slot.process is not None:
            slot.process.kill()
            slot.process.join(timeout=5)

    def _buried(self, slot: _Slot) -> None:
        """A worker ended: requeue what it held, and bring it back (after a pause if it dies young)."""
        process = slot.process
        if process is None:
            return
        process.join(timeout=5)
        with slot.send_lock:
            if slot.conn is not None:
                slot.conn.close()
            slot.conn, slot.process = None, None
        with self._lock:
            slot.ready = slot.idle = False
        requeued, failed = self._release(slot)
        log.warning("worker %d (pid %d) ended with exit code %s; %d submission(s) requeued, %d failed",
                    slot.index, slot.pid, process.exitcode, requeued, failed)
        young = time.monotonic() - slot.started < 60
        slot.respawn_at = time.monotonic() + (RESPAWN_BACKOFF_S if young else 0.0)
        if requeued:
            self.notify()

    def _release(self, slot: _Slot) -> tuple[int, int]:
        overran, slot.overran, slot.grading = slot.overran, False, None
        for _ in range(10):
            try:
                return self._store.release(worker_identity(self._config.identity, slot.index),
                                           self._config.max_attempts, overran=overran)
            except Exception:  # a busy database; the lease running out is the backstop
                log.exception("could not release worker %d's submissions", slot.index)
                time.sleep(0.5)
        return 0, 0

    def _shutdown(self) -> None:
        for slot in self._slots:
            self._send(slot, "stop")
        deadline = time.monotonic() + STOP_GRACE_S
        for slot in self._slots:
            if slot.process is not None:
                slot.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for slot in self._slots:
            if slot.process is not None and slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=5)
            if slot.process is not None:
                self._release(slot)  # it held nothing if it stopped by itself
            if slot.conn is not None:
                slot.conn.close()
            slot.process, slot.conn = None, None
