"""The catalogue watcher: checks new and edited problem folders in the background, so that they are served.

A problem is shown to students only once `judge check` has passed on its
current content (`judge.vetting`). This thread looks over the problem folders
every few seconds and runs the check, one folder at a time, on any whose
content has no recorded result. While it runs, admins see the folder as
`checking`; the students' list gains it the moment it passes. The check grades
the folder's solutions in real sandboxes, so it runs beside the gradings and
takes seconds to minutes.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from judge.problem import Problem, catalogue
from judge.vetting import recorded, vet

log = logging.getLogger(__name__)


class CheckWatcher:
    """Vets every problem folder under `root`, now and whenever one is added or changed, until `stop()`."""

    def __init__(self, root: Path | str, cache_dir: Path, interval_s: float) -> None:
        self._root, self._cache_dir, self._interval_s = root, cache_dir, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="judge-check-watch", daemon=True)
        self.checking: str | None = None  # the folder being checked now

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():  # never started when checks are off
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep()
            except Exception:  # a watcher that dies would freeze the catalogue: log, and look again later
                log.exception("checking the problem folders failed")
            self._stop.wait(self._interval_s)

    def sweep(self) -> None:
        """Check, one at a time, every problem whose current content has no recorded result."""
        for problem in catalogue(self._root).problems.values():
            if self._stop.is_set():
                return
            if recorded(problem, self._cache_dir).status == "unchecked":
                self._check(problem)

    def _check(self, problem: Problem) -> None:
        self.checking = str(problem.folder)
        log.info("checking problem %s (%s)", problem.slug, problem.folder)
        try:
            result = vet(problem, self._cache_dir)
        finally:
            self.checking = None
        if result.status == "passed":
            log.info("problem %s passed its check and is served", problem.slug)
        else:
            log.error("problem %s failed its check and is not served: %s", problem.slug, "; ".join(result.failures))
