"""Kernel cgroups: one per grading, so that limits hold for a sandbox as a whole.

Rlimits count one process at a time: five children of 1 GiB each pass a 4 GiB
address-space limit, and a fork bomb's busy loops take every core. A cgroup
counts every process of the grading and every tmpfs page it writes, so it
carries the three limits that must hold for the whole sandbox:

- memory: a ceiling over all processes and their tmpfs pages (an overrun is
  killed by the kernel and reported as Memory Limit Exceeded);
- pids: a ceiling on processes and threads;
- cpu: a quota of whole cores, so that gradings running side by side cannot
  starve each other.

cgroup v2 is used where it offers all three controllers; otherwise each
controller is taken from its v1 hierarchy. Each judge instance makes its own
folder (`attention-judge-<pid>-<random>`) beside its own cgroup, one sub-folder
per grading, and removes them when done; folders left by an instance that died
are cleaned at the next start. Where the judge cannot write there (an
unprivileged user, a container without delegation), `CgroupTree.detect()` says
why, and the caller reports that those limits hold only per process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = ("memory", "pids", "cpu")
PREFIX = "attention-judge-"
_CPU_PERIOD_US = 100_000


class CgroupError(Exception):
    """A cgroup could not be created, configured or joined."""


@dataclass(frozen=True)
class CgroupLimits:
    """What one grading's cgroup enforces."""

    memory_bytes: int  # all processes' memory and their tmpfs pages
    processes: int  # processes and threads
    cores: float  # CPU quota in whole cores


def _mounts() -> Iterator[tuple[Path, str, set[str]]]:
    """(mount point, fs type, super options) for every cgroup file system, from mountinfo."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            yield Path(fields[4].replace("\\040", " ")), tail[0], set(tail[2].split(","))


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and under "" for v2."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:  # one write(2), as cgroup files expect
        f.write(value)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class GradingCgroup:
    """One grading's cgroup: its folders (one per controller, or one on v2) and its limits."""

    version: str  # "v1" or "v2"
    folders: dict[str, Path]  # controller -> folder; on v2 every controller maps to the same folder
    limits: CgroupLimits
    _procs_fds: list[int] = field(default_factory=list)

    def open_for_join(self) -> list[int]:
        """Open the `cgroup.procs` files now, so that a pre-exec hook can join with plain writes."""
        for folder in sorted(set(self.folders.values())):
            self._procs_fds.append(os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        return list(self._procs_fds)

    def close_join_fds(self) -> None:
        while self._procs_fds:
            with contextlib.suppress(OSError):
                os.close(self._procs_fds.pop())

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in set(self.folders.values()):
            with contextlib.suppress(OSError, ValueError):
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        return found

    def kill(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the cgroup until none is left; True when it is empty."""
        folder = next(iter(self.folders.values()))
        if self.version == "v2" and (folder / "cgroup.kill").exists():
            with contextlib.suppress(OSError):
                _write(folder / "cgroup.kill", "1")
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def memory_exceeded(self) -> bool:
        """Whether the kernel killed a process of this grading for reaching the memory ceiling.

        Only the OOM kill counter is read: usage that touches the ceiling and is
        then reclaimed (page cache from reading Torch's libraries) is no overrun.
        """
        folder = self.folders.get("memory")
        if folder is None:
            return False
        events = "memory.events" if self.version == "v2" else "memory.oom_control"
        return _key_values(folder / events).get("oom_kill", 0) > 0

    def remove(self) -> None:
        """Kill what is left and remove the folders."""
        self.close_join_fds()
        self.kill()
        for folder in sorted(set(self.folders.values()), reverse=True):
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        break
                    time.sleep(0.01)


def _key_values(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                values[key] = int(value)
    return values


@dataclass
class CgroupTree:
    """One judge instance's cgroup folders; `create()` makes one grading's cgroup inside them."""

    version: str  # "v1" or "v2"
    roots: dict[str, Path]  # controller -> this instance's folder

    @classmethod
    def detect(cls) -> CgroupTree | str:
        """This instance's tree, or one line saying why cgroups cannot be used here."""
        if not Path("/proc/self/cgroup").exists():
            return "no cgroups on this system"
        mounts = list(_mounts())
        own = _own_paths()
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
        unified = next((m for m, kind, _ in mounts if kind == "cgroup2"), None)
        if unified is not None:
            available = set((unified / "cgroup.controllers").read_text().split()) if (
                unified / "cgroup.controllers").exists() else set()
            if set(CONTROLLERS) <= available:
                return _make_v2(unified, own.get("", "/"), name)
        roots: dict[str, Path] = {}
        missing = []
        for controller in CONTROLLERS:
            mount = next((m for m, kind, options in mounts if kind == "cgroup" and controller in options), None)
            if mount is None or controller not in own:
                missing.append(controller)
                continue
            roots[controller] = mount / own[controller].lstrip("/") / name
        if missing:
            return f"no {', '.join(missing)} cgroup controller is mounted here"
        try:
            for root in roots.values():
                _clean_stale(root.parent)
                root.mkdir()
        except OSError as exc:
            for root in roots.values():
                with contextlib.suppress(OSError):
                    root.rmdir()
            return f"cannot create cgroups ({exc.strerror or exc}: {exc.filename})"
        return cls("v1", roots)

    def create(self, name: str, limits: CgroupLimits) -> GradingCgroup:
        """A configured cgroup for one grading; raises CgroupError if the kernel refuses."""
        try:
            if self.version == "v2":
                root = next(iter(self.roots.values()))
                folder = root / name
                folder.mkdir()
                group = GradingCgroup("v2", dict.fromkeys(CONTROLLERS, folder), limits)
                _write(folder / "memory.max", str(limits.memory_bytes))
                with contextlib.suppress(FileNotFoundError):
                    _write(folder / "memory.swap.max", "0")
                _write(folder / "pids.max", str(limits.processes))
                _write(folder / "cpu.max", f"{int(limits.cores * _CPU_PERIOD_US)} {_CPU_PERIOD_US}")
                return group
            folders = {c: root / name for c, root in self.roots.items()}
            for folder in folders.values():
                folder.mkdir()
            group = GradingCgroup("v1", folders, limits)
            memory = folders["memory"]
            _write(memory / "memory.limit_in_bytes", str(limits.memory_bytes))
            if (memory / "memory.memsw.limit_in_bytes").exists():  # no swapping around the ceiling
                _write(memory / "memory.memsw.limit_in_bytes", str(limits.memory_bytes))
            _write(folders["pids"] / "pids.max", str(limits.processes))
            _write(folders["cpu"] / "cpu.cfs_period_us", str(_CPU_PERIOD_US))
            _write(folders["cpu"] / "cpu.cfs_quota_us", str(int(limits.cores * _CPU_PERIOD_US)))
            return group
        except OSError as exc:
            raise CgroupError(f"cannot set up the grading's cgroup: {exc}") from exc

    def close(self) -> None:
        """Remove this instance's folders (after every grading cgroup inside them is gone)."""
        for root in set(self.roots.values()):
            for child in [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []:
                GradingCgroup(self.version, {"": child}, CgroupLimits(0, 0, 0)).remove()
            with contextlib.suppress(OSError):
                root.rmdir()

    def describe(self) -> str:
        return f"cgroup {self.version} ({', '.join(CONTROLLERS)})"  # no path: /health is public


def _make_v2(unified: Path, own: str, name: str) -> CgroupTree | str:
    """On v2 the instance folder needs the controllers delegated to it: beside us, else at the top."""
    enable = " ".join(f"+{c}" for c in CONTROLLERS)
    reasons = []
    for parent in dict.fromkeys([unified / own.lstrip("/"), unified]):
        root = parent / name
        try:
            _clean_stale(parent)
            _write(parent / "cgroup.subtree_control", enable)
            root.mkdir()
            _write(root / "cgroup.subtree_control", enable)
            return CgroupTree("v2", dict.fromkeys(CONTROLLERS, root))
        except OSError as exc:
            reasons.append(f"{parent}: {exc.strerror or exc}")
            with contextlib.suppress(OSError):
                root.rmdir()
    return "cannot create delegated cgroup v2 folders (" + "; ".join(reasons) + ")"


def _clean_stale(parent: Path) -> None:
    """Remove the folders of judge instances that are no longer running (a crash skips their clean-up)."""
    with contextlib.suppress(OSError):
        for folder in parent.iterdir():
            if not folder.name.startswith(PREFIX) or not folder.is_dir():
                continue
            pid = folder.name[len(PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                CgroupTree("v1", {"": folder}).close()
