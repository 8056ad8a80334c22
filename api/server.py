"""uvicorn, configured so that idle and slow connections cannot pile up: `serve(app, settings, ...)`.

What uvicorn 0.54 does by itself (`uvicorn/protocols/http/h11_impl.py`, and the
same in `httptools_impl.py`): its keep-alive timer is armed only in
`on_response_complete`, and any received byte cancels it. So a connection that
opens and sends nothing, or trickles a header byte now and then, is never
closed; each one holds a file descriptor and counts against `limit_concurrency`,
past which every request (even `/health`) is answered 503. h11 caps the size of
the headers (16 KiB), not the time they take.

`HeaderDeadlineProtocol` adds the missing deadline: from the moment a connection
opens, or a new request's first byte arrives on a kept-alive one, the request's
complete headers must arrive within `header_timeout_s`, or the connection is
closed (with a 408 when part of a request had come). The body, once headers are
in, is the routes' business (they cap its size).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from api.settings import ServiceSettings

REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers (see the module's docstring)."""

    header_timeout_s: ClassVar[float] = 10.0  # set per server by `header_deadline_protocol`

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # cancels uvicorn's keep-alive timer, parses what it can
        if self.conn.their_state is h11.IDLE:  # a request has begun and its headers are not all in
            self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_deadline is None and not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        """The deadline passed without complete headers: close, saying why if a request had begun."""
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # bytes of an unfinished request: a slow client deserves an answer
            self.transport.write(REQUEST_TIMEOUT)
        with contextlib.suppress(h11.LocalProtocolError):
            self.conn.send(h11.ConnectionClosed())
        self.transport.close()


def header_deadline_protocol(timeout_s: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class with `timeout_s` set: uvicorn builds each connection's protocol from a class."""

    class Bounded(HeaderDeadlineProtocol):
        header_timeout_s = timeout_s

    return Bounded


def serve(app: FastAPI, settings: ServiceSettings, *, host: str, port: int, log_level: str,
          timeout_graceful_shutdown: int) -> None:
    """Run `app` under uvicorn until interrupted, with the connection limits from `settings`.

    `limit_concurrency` counts open connections and running requests alike;
    past it uvicorn still accepts a connection but answers its request 503, so
    the header deadline is what keeps silent sockets from holding that budget.
    The listen backlog (connections the kernel holds until uvicorn accepts them)
    gets the same bound: uvicorn accepts eagerly, so it matters only in a burst.
    """
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                http=header_deadline_protocol(settings.header_timeout_s),
                timeout_keep_alive=settings.keep_alive_s, limit_concurrency=settings.max_connections,
                backlog=settings.max_connections, timeout_graceful_shutdown=timeout_graceful_shutdown)
