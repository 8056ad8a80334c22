"""The runner: the only place submitted code runs, in a sandboxed child process.

The judge talks to the child over two private pipes (requests in, responses
out) using `judge.wire`; the child's stdout and stderr are captured separately
and capped, and never parsed. The runner reports what happened (an array, an
error the child described, a crash, a timeout) and never decides a verdict.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
import struct
import subprocess
import termios
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from judge.problem import Limits
from judge.sandbox import NO_EXTRAS, Extras, Isolation, launch, reap_inner
from judge.shared import SharedRegion
from judge.wire import WireError, WireTimeout, receive_message, send_message

OUTPUT_KEEP_BYTES = 4096  # of stdout and of stderr, kept for feedback
HEADER_LIMIT = 64 * 1024  # a reply's JSON header: status, kind, a message and a traceback of 4,000 chars each
DEFAULT_REPLY_BYTES = 1 << 28  # a reply's arrays when the caller gives no tighter bound
_START_TIMEOUT_S = 30.0
_LOAD_TIMEOUT_S = 30.0  # importing the submission (and Torch, if it imports it)


@dataclass
class Reply:
    """What the child answered to one request, or how it failed to."""

    status: str  # "ok", "error" (the child described a failure), "crash", "timeout", "transport"
    kind: str = ""  # for "error": compile, exception, exit, memory, contract; for "crash": memory, cpu, ...
    message: str = ""
    traceback: str = ""
    arrays: list[np.ndarray] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)


class _CappedReader(threading.Thread):
    """Drains a pipe to its end, keeping only the first `keep` bytes, and none once told to withhold."""

    def __init__(self, fd: int, keep: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.keep = fd, keep
        self.kept = bytearray()
        self.total = 0
        self.withheld = 0  # bytes that arrived after `withhold()`
        self._lock = threading.Lock()
        self._withholding = False

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 16):
                with self._lock:
                    self.total += len(chunk)
                    if self._withholding:
                        self.withheld += len(chunk)
                        continue
                    room = self.keep - len(self.kept)
                    if room > 0:
                        self.kept += chunk[:room]
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def withhold(self) -> None:
        """Keep nothing from now on; what is already in the pipe is read first (briefly waited for)."""
        deadline = time.monotonic() + 0.2
        while _pending(self.fd) and time.monotonic() < deadline:
            time.sleep(0.002)
        with self._lock:
            self._withholding = True

    def text(self) -> str:
        body = self.kept.decode("utf-8", errors="replace")
        shown = len(self.kept) + self.withheld
        if self.total > shown:
            body += f"\n... [{self.total - shown} more bytes not shown]"
        if self.withheld:
            body += f"\n... [{self.withheld} bytes printed during hidden cases: withheld]"
        return body


def _pending(fd: int) -> int:
    """Bytes waiting in a pipe (0 once it is closed)."""
    try:
        return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])
    except OSError:
        return 0


class Child:
    """One sandboxed harness process for one submission. Use as a context manager.

    Raises judge.sandbox.SandboxError when the sandbox cannot be prepared.
    """

    def __init__(self, limits: Limits, threads: int = 1, unsandboxed: bool = False, extras: Extras = NO_EXTRAS,
                 shared: SharedRegion | None = None) -> None:
        self.limits = limits
        self.shared = shared  # the caller's: it outlives the child and the caller closes it
        self.nonce = secrets.token_hex(16)
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self._info_read, info_write = os.pipe()  # bwrap writes {"child-pid": N} here
        os.set_blocking(self._request_write, False)  # every write carries a deadline
        try:
            shared_fd = shared.fd if shared is not None else None
            self._plan = launch(request_read, response_write, limits, threads, info_write, unsandboxed, extras,
                                shared_fd)
            self.process = subprocess.Popen(
                self._plan.argv,
                env=self._plan.env,
                stdin=subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                pass_fds=(request_read, response_write, info_write, *([] if shared_fd is None else [shared_fd])),
                preexec_fn=self._plan.preexec,
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            for fd in (request_read, response_write, out_write, err_write, info_write, self._request_write,
                       self._response_read, out_read, err_read, self._info_read):
                with contextlib.suppress(OSError):
                    os.close(fd)
            if hasattr(self, "_plan"):
                self._plan.release()
            raise
        self._plan.after_start()
        self.isolation: Isolation = self._plan.isolation
        for fd in (request_read, response_write, out_write, err_write, info_write):
            os.close(fd)
        self._stdout = _CappedReader(out_read, OUTPUT_KEEP_BYTES)
        self._stderr = _CappedReader(err_read, OUTPUT_KEEP_BYTES)
        self._stdout.start()
        self._stderr.start()
        self.dead: Reply | None = None  # set once the child is gone, to answer later requests
        self._closed = False

    @property
    def uid(self) -> int | None:
        """The leased sandbox uid (None when the judge is not root)."""
        return self._plan.uid

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_ready(self) -> Reply:
        """Wait for the harness to start (it has no nonce yet: the first request brings it)."""
        return self._receive(time.monotonic() + _START_TIMEOUT_S, expect_nonce=False, max_bytes=0)

    def request(self, header: dict[str, Any], arrays: list[np.ndarray] | None = None,
                timeout: float | None = None, max_reply_bytes: int = DEFAULT_REPLY_BYTES) -> Reply:
        """Send one request and wait for its reply within `timeout` seconds of wall time, sending included.

        A reply whose arrays exceed `max_reply_bytes` all together is refused
        before it is read.
        """
        if self.dead is not None:
            return self.dead
        if timeout is None:
            timeout = _LOAD_TIMEOUT_S if header.get("op") == "load" else self.limits.case_wall_s
        deadline = time.monotonic() + timeout
        try:
            send_message(self._request_write, {**header, "nonce": self.nonce}, arrays, deadline)
        except WireTimeout:
            return self._timed_out(f"the submission stopped reading its input: no answer within {timeout:g} s")
        except OSError:
            return self._crashed()
        count = int(header.get("outputs", 1)) if header.get("op") == "call" else 0
        return self._receive(deadline, max_bytes=max_reply_bytes, timeout=timeout, max_arrays=count)

    def request_shared(self, header: dict[str, Any], arrays: list[np.ndarray], timeout: float,
                       max_reply_bytes: int) -> Reply:
        """A call whose arrays travel through the shared region both ways (copied in and out within the call)."""
        assert self.shared is not None, "the child was started without a shared region"
        if self.dead is not None:
            return self.dead
        slots = self.shared.write_inputs(arrays)
        if int(header.get("outputs", 1)) != 1:  # several outputs come back through the pipe
            return self.request({**header, "shared": slots}, timeout=timeout, max_reply_bytes=max_reply_bytes)
        reply = self.request({**header, "shared": slots, "out": self.shared.output_area()}, timeout=timeout,
                             max_reply_bytes=0)
        if reply.status != "ok":
            return reply
        try:
            reply.arrays = [self.shared.read_output(reply.header.get("shared_out"), max_reply_bytes)]
        except WireError as exc:
            self.kill()
            self.dead = Reply("transport", message=f"the child's reply broke the protocol: {exc}")
            return self.dead
        return reply

    def _receive(self, deadline: float, expect_nonce: bool = True, max_bytes: int = 0,
                 timeout: float = _START_TIMEOUT_S, max_arrays: int = 1) -> Reply:
        try:
            header, arrays = receive_message(self._response_read, HEADER_LIMIT, max_bytes, deadline,
                                             max_arrays=max_arrays if max_bytes else 0)
        except WireTimeout:
            return self._timed_out(f"no answer within {timeout:g} s of wall time")
        except WireError as exc:
            return self._broken(exc)
        if expect_nonce and header.get("nonce") != self.nonce:
            self.kill()
            self.dead = Reply("transport", message="the child's reply did not carry this run's nonce")
            return self.dead
        if self._memory_exceeded():  # a process of the sandbox was killed for memory, even if this one lived
            return self.dead or Reply("crash")
        status = header.get("status")
        return Reply(
            status=status if status in ("ok", "error", "ready") else "transport",
            kind=str(header.get("kind", ""))[:20],
            message=str(header.get("message", ""))[:4000],
            traceback=str(header.get("traceback", ""))[:4000],
            arrays=arrays,
            header=header,
        )

    def _memory_exceeded(self) -> bool:
        cgroup = self._plan.cgroup
        if cgroup is None or not cgroup.memory_exceeded():
            return False
        self.kill()
        self.dead = Reply("crash", kind="memory", message=(
            f"the sandbox reached its memory ceiling of {self.limits.memory_mb} MiB "
            "(all of its processes and files in /tmp together)"))
        return True

    def _timed_out(self, message: str) -> Reply:
        self.kill()
        if not self._memory_exceeded():
            self.dead = Reply("timeout", message=message)
        assert self.dead is not None
        return self.dead

    def _broken(self, exc: WireError) -> Reply:
        """The reply was not a valid message: the child ended (say how) or broke the protocol alive."""
        try:
            code = self.process.wait(timeout=0.5)  # an ending stream usually means an ending process
        except subprocess.TimeoutExpired:
            self.kill()
            if not self._memory_exceeded():
                self.dead = Reply("transport", message=f"the child's reply broke the protocol: {exc}")
            assert self.dead is not None
            return self.dead
        return self._ended(code)

    def _crashed(self) -> Reply:
        """The child is gone or going: wait briefly and describe how it ended."""
        try:
            code = self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        return self._ended(code)

    def _ended(self, code: int) -> Reply:
        if not self._memory_exceeded():
            self.dead = Reply("crash", kind=_describe_exit_kind(code), message=_describe_exit(code))
        assert self.dead is not None
        return self.dead

    def pause(self) -> bool:
        """Stop every process of the sandbox at once (its cgroup's freezer); False where that cannot be done."""
        cgroup = self._plan.cgroup
        return cgroup is not None and self.dead is None and cgroup.freeze()

    def resume(self) -> None:
        if self._plan.cgroup is not None:
            self._plan.cgroup.thaw()

    def withhold_output(self) -> None:
        """From now on keep none of the child's stdout and stderr (hidden inputs may be in it)."""
        self._stdout.withhold()
        self._stderr.withhold()

    def kill(self) -> None:
        """Kill every process of the sandbox: its session, and its cgroup (which double forks cannot leave)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._plan.cgroup is not None:
            self._plan.cgroup.kill()

    def close(self) -> None:
        """End the child (politely if it is idle, else by force), collect its output, free its uid and cgroup."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            os.close(self._request_write)  # EOF tells an idle harness to exit
        try:
            self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait()
        self.kill()  # anything it left in its session or its cgroup
        reap_inner(self._info_read)
        os.close(self._response_read)
        self._stdout.join(timeout=2.0)
        self._stderr.join(timeout=2.0)
        self._plan.release()

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
