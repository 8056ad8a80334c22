"""What every judge process runs beside its database: workers, a timing lane, a reaper and a listener.

`judge serve` runs one inside the web app (its workers may be 0: a host that
only serves HTTP); `judge work` runs one alone. Any number of them may share
one PostgreSQL database: claims are atomic and leased, so hosts never need to
know of each other. With the embedded SQLite they share one machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from api.dialect import DONE_CHANNEL, QUEUED_CHANNEL
from api.leases import Reaper, host_identity, renewal_interval
from api.notify import Listener
from api.settings import ServiceSettings
from api.store import Store
from api.timing_lane import LaneConfig, TimingLane
from api.workers import WorkerConfig, WorkerPool

log = logging.getLogger(__name__)


class GradingHost:
    """This process's share of the grading. `on_done(submission_id)` hears every verdict this host learns of:
    its own workers', and (on PostgreSQL) every other host's."""

    def __init__(self, settings: ServiceSettings, store: Store, workers: int | None = None,
                 on_done: Callable[[str], None] | None = None) -> None:
        count = settings.workers if workers is None else workers
        self.identity = host_identity(settings.host_id)
        config = WorkerConfig(database=settings.database, problems_dir=str(settings.problems_dir),
                              secret=settings.grading_secret(), max_attempts=settings.max_attempts,
                              identity=self.identity, lease_s=settings.lease_s, unsandboxed=settings.unsandboxed)
        self.pool = WorkerPool(count, config, store, on_done=on_done)
        self.lane = TimingLane(LaneConfig(database=settings.database, problems_dir=str(settings.problems_dir),
                                          cap_s=settings.timing_cap_s, defer_queue=settings.timing_defer_queue,
                                          lease_s=settings.lease_s, unsandboxed=settings.unsandboxed))
        self.times_here = settings.timing_lane and count > 0  # a host that grades nothing measures nothing
        self.reaper = Reaper(store, settings.max_attempts, renewal_interval(settings.lease_s),
                             on_requeued=self.pool.notify)
        handlers: dict[str, Callable[[str], None]] = {QUEUED_CHANNEL: lambda _payload: self.pool.notify()}
        if on_done is not None:
            handlers[DONE_CHANNEL] = on_done
        self.listener = Listener(settings.database, handlers)

    def start(self, timeout: float = 180.0) -> bool:
        """Start everything; blocks until the workers are warm (bounded): False if some are not yet."""
        if self.times_here:
            self.lane.start()
        self.reaper.start()
        if self.listener.start():
            log.info("listening for verdicts and new work on the database's notifications")
        return self.pool.start(timeout)

    def stop(self) -> None:
        """Workers finish what they hold (bounded); the rest goes back to the queue."""
        self.listener.stop()
        self.reaper.stop()
        self.lane.stop()
        self.pool.stop()
