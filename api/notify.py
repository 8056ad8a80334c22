"""Hints between hosts: a verdict is in, a submission was queued. Only ever hints.

`DoneBoard` holds the `?wait=true` requests of this API host, each waiting on
an asyncio event for one submission id. Two things set those events: this
host's own workers saying "done" (`api.workers`), and, on PostgreSQL, a
`Listener` thread that hears `pg_notify` from whichever host wrote the verdict
(`api.dialect`). A hint that is lost (a reconnecting listener, SQLite with a
separate `judge work`) costs latency only: each waiting request re-reads the
database at least once a second, and the database has the last word.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

RECONNECT_S = 1.0  # a listener that lost its connection tries again this often
POLL_S = 0.5  # how often a listener looks up from its socket to see whether it should stop


class DoneBoard:
    """Waiting requests by submission id; `done(id)` wakes them, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    @contextlib.contextmanager
    def watching(self, submission_id: str) -> Iterator[asyncio.Event]:
        """An event set (on the caller's loop) when `submission_id` is reported done."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(submission_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                waiting = self._waiters.get(submission_id)
                if waiting is not None:
                    waiting.discard(entry)
                    if not waiting:
                        del self._waiters[submission_id]

    def done(self, submission_id: str) -> None:
        with self._lock:
            waiting = list(self._waiters.get(submission_id, ()))
        for loop, event in waiting:
            with contextlib.suppress(RuntimeError):  # that request's loop is gone
                loop.call_soon_threadsafe(event.set)


def libpq_dsn(database_url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (`postgresql+psycopg://...` -> `postgresql://...`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """LISTENs on PostgreSQL channels from a daemon thread, calling `handlers[channel](payload)` for each
    notification; reconnects after a lost connection. Nothing to do on SQLite: `start()` returns False."""

    def __init__(self, database_url: str, handlers: dict[str, Callable[[str], None]]) -> None:
        self._url = database_url
        self._handlers = handlers
        self._stop = threading.Event()
        self.connected = threading.Event()  # tests wait on it before they count on a notification
        self._thread = threading.Thread(target=self._run, name="judge-listener", daemon=True)

    def start(self) -> bool:
        if make_url(self._url).get_backend_name() != "postgresql":
            return False
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stop.is_set():
            try:
                with psycopg.connect(libpq_dsn(self._url), autocommit=True, connect_timeout=10) as connection:
                    for channel in self._handlers:
                        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self.connected.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=POLL_S):
                            self._deliver(note.channel, note.payload)
            except Exception:  # the database went away: hints stop, the re-reads carry on
                self.connected.clear()
                log.exception("lost the notification connection; reconnecting")
                self._stop.wait(RECONNECT_S)

    def _deliver(self, channel: str, payload: str) -> None:
        handler = self._handlers.get(channel)
        if handler is None:
            return
        try:
            handler(payload)
        except Exception:  # a hint's handler must not take the listener down
            log.exception("handling a notification on %s failed", channel)
