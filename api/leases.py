"""Leases on claimed work: who holds a claim, the heartbeat that keeps it, and the reaper that ends dead ones.

A claim (`Store.claim`, `Store.claim_timing`) carries a lease that runs out
`lease_s` after it was last renewed, by the database's clock. While a process
grades, its `Heartbeat` thread renews the lease every third of that; a host
that dies, freezes or loses the database stops renewing, and the first
`Reaper` to look afterwards (every `judge serve` and `judge work` runs one)
requeues the submission or, once its attempts are spent, gives it its final
verdict. A late verdict from a host presumed dead is then dropped by its
claim token.

Worker identities (`claimed_by`) name the host, its boot and its slot, plus a
tag drawn when the host process starts: process ids repeat across containers,
and two `judge` processes on one machine both number their slots from 0.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.store import Store

log = logging.getLogger(__name__)

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
MAX_HOST_CHARS = 64


def boot_id() -> str:
    """This kernel boot's id, shortened (`unknown-boot` where Linux does not say)."""
    try:
        return BOOT_ID.read_text().strip().replace("-", "")[:8] or "unknown-boot"
    except OSError:
        return "unknown-boot"


def host_identity(host_id: str | None = None) -> str:
    """`host/boot/tag`: unique to this process's life; its workers append their slot."""
    host = (host_id or socket.gethostname() or "host")[:MAX_HOST_CHARS]
    return f"{host}/{boot_id()}/{secrets.token_hex(3)}"


def worker_identity(host: str, slot: int) -> str:
    return f"{host}/{slot}"


def renewal_interval(lease_s: float) -> float:
    """How often a holder renews: three chances before the lease runs out."""
    return lease_s / 3


class Heartbeat:
    """Renews the lease of whatever this process holds now, from a thread of its own.

    The grading itself runs in the process's main thread, mostly waiting on
    the sandbox (the GIL is free then); Python hands the GIL to this thread at
    least every few milliseconds even while trusted code computes, so a busy
    grading cannot starve it.
    """

    def __init__(self, lease_s: float) -> None:
        self._interval = renewal_interval(lease_s)
        self._renew: Callable[[], bool] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="judge-heartbeat", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def holding(self, renew: Callable[[], bool]) -> Iterator[None]:
        """Keep calling `renew` (it returns False once the claim is lost) until the block ends."""
        with self._lock:
            self._renew = renew
        try:
            yield
        finally:
            with self._lock:
                self._renew = None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                renew = self._renew
            if renew is None:
                continue
            try:
                if not renew():
                    log.warning("a lease was lost (reaped or re-graded); the grading's result will be dropped")
            except Exception:  # the database is unreachable: the next beat tries again
                log.exception("could not renew a lease")


class Reaper:
    """Every `interval_s`, returns expired gradings and comparisons to their queues (see the module docstring)."""

    def __init__(self, store: Store, max_attempts: int, interval_s: float,
                 on_requeued: Callable[[], None] | None = None) -> None:
        self._store = store
        self._max_attempts = max_attempts
        self._interval = interval_s
        self._on_requeued = on_requeued
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="judge-reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def reap_once(self) -> tuple[int, int]:
        """(requeued, failed) gradings, after also reaping comparisons."""
        requeued, failed = self._store.reap(self._max_attempts)
        if requeued or failed:
            log.warning("reaped expired leases: %d submission(s) requeued, %d given their final verdict",
                        requeued, failed)
        timings = self._store.reap_timing()
        if timings:
            log.warning("reaped %d speed comparison(s) whose timing lane stopped", timings)
        if requeued and self._on_requeued is not None:
            self._on_requeued()
        return requeued, failed

    def _run(self) -> None:
        while True:  # at once, then every interval: work a dead host held waits no longer than its lease
            try:
                self.reap_once()
            except Exception:  # a busy or unreachable database: look again next time
                log.exception("the reaper could not read the database")
            if self._stop.wait(self._interval):
                return
