"""The runner: the only place submitted code runs, in a sandboxed child process.

The judge talks to the child over two private pipes (requests in, responses
out) using `judge.wire`; the child's stdout and stderr are captured separately
and capped, and never parsed. The runner reports what happened (an array, an
error the child described, a crash, a timeout) and never decides a verdict.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from judge.problem import Limits
from judge.sandbox import Isolation, launch, reap_inner
from judge.wire import WireError, WireTimeout, receive_message, send_message

OUTPUT_KEEP_BYTES = 4096  # of stdout and of stderr, kept for feedback
_HEADER_LIMIT = 1 << 20
_ARRAY_LIMIT = 1 << 28
_START_TIMEOUT_S = 30.0


@dataclass
class Reply:
    """What the child answered to one request, or how it failed to."""

    status: str  # "ok", "error" (the child described a failure), "crash", "timeout", "transport"
    kind: str = ""  # for "error": compile, exception, exit, memory, contract
    message: str = ""
    traceback: str = ""
    arrays: list[np.ndarray] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)


class _CappedReader(threading.Thread):
    """Drains a pipe to its end, keeping only the first `keep` bytes."""

    def __init__(self, fd: int, keep: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.keep = fd, keep
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 16):
                self.total += len(chunk)
                room = self.keep - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def text(self) -> str:
        body = self.kept.decode("utf-8", errors="replace")
        if self.total > len(self.kept):
            body += f"\n... [{self.total - len(self.kept)} more bytes not shown]"
        return body


class Child:
    """One sandboxed harness process for one submission. Use as a context manager."""

    def __init__(self, limits: Limits, threads: int = 1, slot: int = 0) -> None:
        self.limits = limits
        self.nonce = secrets.token_hex(16)
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self._info_read, info_write = os.pipe()  # bwrap writes {"child-pid": N} here
        plan = launch(request_read, response_write, limits, threads, slot, info_write)
        self.isolation: Isolation = plan.isolation
        self.process = subprocess.Popen(
            plan.argv,
            env=plan.env,
            stdin=subprocess.DEVNULL,
            stdout=out_write,
            stderr=err_write,
            pass_fds=(request_read, response_write, info_write),
            preexec_fn=plan.preexec,
            start_new_session=True,
            close_fds=True,
        )
        for fd in (request_read, response_write, out_write, err_write, info_write):
            os.close(fd)
        self._stdout = _CappedReader(out_read, OUTPUT_KEEP_BYTES)
        self._stderr = _CappedReader(err_read, OUTPUT_KEEP_BYTES)
        self._stdout.start()
        self._stderr.start()
        self.dead: Reply | None = None  # set once the child is gone, to answer later requests

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_ready(self) -> Reply:
        """Wait for the harness to start (it has no nonce yet: the first request brings it)."""
        return self._receive(_START_TIMEOUT_S, expect_nonce=False)

    def request(self, header: dict[str, Any], arrays: list[np.ndarray] | None = None,
                timeout: float | None = None) -> Reply:
        """Send one request and wait for its reply within `timeout` seconds of wall time."""
        if self.dead is not None:
            return self.dead
        try:
            send_message(self._request_write, {**header, "nonce": self.nonce}, arrays)
        except (BrokenPipeError, OSError):
            return self._crashed()
        return self._receive(timeout if timeout is not None else self.limits.case_wall_s)

    def _receive(self, timeout: float, expect_nonce: bool = True) -> Reply:
        try:
            header, arrays = receive_message(self._response_read, _HEADER_LIMIT, _ARRAY_LIMIT,
                                             deadline=time.monotonic() + timeout)
        except WireTimeout:
            self.kill()
            self.dead = Reply("timeout", message=f"no answer within {timeout:g} s of wall time")
            return self.dead
        except WireError as exc:
            return self._broken(exc)
        if expect_nonce and header.get("nonce") != self.nonce:
            self.kill()
            self.dead = Reply("transport", message="the child's reply did not carry this run's nonce")
            return self.dead
        return Reply(
            status=str(header.get("status", "")) if header.get("status") in ("ok", "error", "ready") else "transport",
            kind=str(header.get("kind", "")),
            message=str(header.get("message", ""))[:4000],
            traceback=str(header.get("traceback", ""))[:4000],
            arrays=arrays,
            header=header,
        )

    def _broken(self, exc: WireError) -> Reply:
        """The reply was not a valid message: the child ended (say how) or broke the protocol alive."""
        try:
            code = self.process.wait(timeout=0.5)  # an ending stream usually means an ending process
        except subprocess.TimeoutExpired:
            self.kill()
            self.dead = Reply("transport", message=f"the child's reply broke the protocol: {exc}")
            return self.dead
        self.dead = Reply("crash", kind=_describe_exit_kind(code), message=_describe_exit(code))
        return self.dead

    def _crashed(self) -> Reply:
        """The child is gone or going: wait briefly and describe how it ended."""
        try:
            code = self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        self.dead = Reply("crash", kind=_describe_exit_kind(code), message=_describe_exit(code))
        return self.dead

    def kill(self) -> None:
        """Kill the child's whole session; its PID namespace takes every descendant with it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def close(self) -> None:
        """End the child (politely if it is idle, else by force) and collect its output."""
        with contextlib.suppress(OSError):
            os.close(self._request_write)  # EOF tells an idle harness to exit
        try:
            self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait()
        self.kill()  # anything it left in its session
        reap_inner(self._info_read)
        os.close(self._response_read)
        self._stdout.join(timeout=2.0)
        self._stderr.join(timeout=2.0)

    @property
    def stdout(self) -> str:
        return self._stdout.text()

    @property
    def stderr(self) -> str:
        return self._stderr.text()


def _describe_exit_kind(code: int) -> str:
    if code == 0:
        return "exited-cleanly"
    signum = -code if code < 0 else code - 128 if code > 128 else 0
    if signum in (signal.SIGXCPU, signal.SIGKILL) and code != 0:
        return "cpu" if signum == signal.SIGXCPU else "killed"
    return "signal" if signum else "exit"


def _describe_exit(code: int) -> str:
    if code == 0:
        return "the process exited (status 0) before returning a result"
    signum = -code if code < 0 else code - 128 if code > 128 else 0
    if signum:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        if signum == signal.SIGXCPU:
            return "the CPU time limit was exceeded (SIGXCPU)"
        return f"the process was killed by {name}"
    return f"the process exited with status {code} before returning a result"
