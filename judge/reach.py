"""Let the sandbox uid reach the interpreter when it lives under a folder that uid cannot enter.

On a fresh machine the judge runs as root and Python lives under /root, whose
mode is 0700. The judge drops to an unprivileged uid before bubblewrap starts
(so that the kernel counts that uid's processes, not root's), and that uid
cannot traverse /root: bubblewrap then fails to find what it must bind.

The fix changes nothing on the host. In the forked child, still root, just
before it drops its uid: enter a private mount namespace, cover each folder the
uid cannot enter with a small read-only tmpfs (mode 0755), and bind back into
it exactly the paths the sandbox needs, from descriptors opened before the
cover went on. The paths keep their names, so bubblewrap and the interpreter
see what they expect; the namespace ends with the child.
"""

from __future__ import annotations

import ctypes
import os
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18


@dataclass(frozen=True)
class ReachPlan:
    """Folders to cover, and the paths under them to bind back (neither nested in another)."""

    covers: tuple[str, ...]
    binds: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.covers)


def _enterable(path: Path, uid: int) -> bool:
    """Whether `uid` (not root, in no group of the folder's) may traverse the folder."""
    info = path.stat()
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    return bool(info.st_mode & stat.S_IXOTH)


def plan_reach(paths: list[Path], uid: int) -> ReachPlan:
    """Which folders to cover so that `uid` can reach every path in `paths`."""
    covers: set[Path] = set()
    binds: set[Path] = set()
    for path in paths:
        path = path.resolve()
        for ancestor in reversed(path.parents):  # from / downwards
            if ancestor != path and not _enterable(ancestor, uid):
                covers.add(ancestor)
                binds.add(path)
                break
    covers = {c for c in covers if not any(o in c.parents for o in covers)}
    binds = {b for b in binds if not any(o in b.parents for o in binds)}
    return ReachPlan(tuple(sorted(map(str, covers))), tuple(sorted(map(str, binds))))


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def apply_reach(plan: ReachPlan) -> None:
    """Run in the child before it drops root: a private mount namespace where the plan's paths are reachable."""
    libc = _libc()
    _check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "making mounts private")
    # Opened in the new namespace (a bind's source must be in the caller's), before the covers hide them.
    sources = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in plan.binds]
    for cover in plan.covers:
        _check(libc.mount(b"tmpfs", cover.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=1m,mode=0755"),
               f"covering {cover}")
    for path, fd in sources:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.makedirs(path, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
        _check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None),
               f"binding {path}")
        _check(libc.mount(b"none", path.encode(), None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY, None),
               f"making {path} read-only")
        os.close(fd)
    for cover in plan.covers:
        _check(libc.mount(b"none", cover.encode(), None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV, None),
               f"making the cover of {cover} read-only")
