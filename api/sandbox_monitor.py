"""The service's view of its sandbox: the real launch path probed at start, then again every few minutes.

Submissions are refused (503) while the last probe failed, instead of being
taken and failed one by one with Internal Error. The probe runs in a thread
of the server process, under its own leased uid and cgroup, so no grading
can starve it; `/health` reports its last answer and how old it is.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from judge.probe import ProbeResult, probe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxState:
    """The last probe's answer, and when it was given."""

    result: ProbeResult
    at: float  # time.monotonic() of the probe's end

    @property
    def age_s(self) -> float:
        return time.monotonic() - self.at


class SandboxMonitor:
    """Probes now (blocking), then every `interval_s` in a daemon thread until `stop()`."""

    def __init__(self, unsandboxed: bool, interval_s: float) -> None:
        self._unsandboxed = unsandboxed
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="judge-sandbox-probe", daemon=True)
        self.state = self._probe()

    def _probe(self) -> SandboxState:
        result = probe(self._unsandboxed)
        if not result.ok:
            log.error("sandbox probe failed: %s", result.line)
        return SandboxState(result, time.monotonic())

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            if not self._stop.is_set():
                self.state = self._probe()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
