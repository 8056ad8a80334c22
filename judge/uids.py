"""Sandbox uids, leased one per running sandbox, across every judge instance on the host.

When the judge runs as root, each sandbox runs under an unprivileged uid of its
own. A uid shared between two sandboxes would share the kernel's per-uid
process count and could signal the other's processes; a uid shared between
two judge instances (a service and a CLI run) would let one's fork bomb fail
the other's gradings. So a uid is leased for exactly one sandbox's life: the
lease is an exclusive `flock` on a file named after the uid, which the kernel
drops when its holder exits, however it exits. Before a uid is handed out,
anything still running under it (left by a holder that was killed) is killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
from dataclasses import dataclass
from pathlib import Path

UID_FIRST = 61000  # the range is reserved for sandboxes: nothing else on the host may use it
UID_COUNT = 1000
LEASE_DIR = Path("/run/attention-judge/uids")


class NoFreeUid(Exception):
    """Every sandbox uid is leased."""


@dataclass
class UidLease:
    """One uid, held until `release()` (or until the holding process ends)."""

    uid: int
    _fd: int

    def release(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the file drops its flock
            self._fd = -1


def processes_of(uid: int) -> list[int]:
    """Every process whose real uid is `uid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        found.append(int(entry.name))
                    break
    return found


def kill_processes_of(uid: int) -> int:
    """SIGKILL whatever still runs under a sandbox uid; returns how many were found."""
    pids = processes_of(uid)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def lease_uid(lease_dir: Path = LEASE_DIR, first: int = UID_FIRST, count: int = UID_COUNT) -> UidLease:
    """The first free sandbox uid, leased to this process; raises NoFreeUid when all are taken."""
    lease_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for uid in range(first, first + count):
        fd = os.open(lease_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        kill_processes_of(uid)
        return UidLease(uid, fd)
    raise NoFreeUid(f"all {count} sandbox uids from {first} are in use")
