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

Two more controllers are used where the kernel offers them, for the speed
comparison (`judge.lane`, `judge.timing`): cpuset, which keeps a sandbox on the
cores it is given whatever affinity it asks for, and the freezer, which stops
one side of a comparison while the other is timed.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = ("memory", "pids", "cpu")
OPTIONAL = ("cpuset", "freezer")  # used when present; their absence is reported, not fatal
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
    cpus: str | None = None  # cpuset list ("0-2,5") the sandbox may run on; None: every core the judge has


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
        _thaw(self.folders.values())  # a frozen task does not die until it is thawed
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

    def set_cpus(self, cpus: str) -> bool:
        """Move the whole sandbox onto `cpus` (it cannot widen this itself); False without a cpuset."""
        folder = self.folders.get("cpuset")
        if folder is None:
            return False
        with contextlib.suppress(OSError):
            _write(folder / "cpuset.cpus", cpus)
            return True
        return False

    def freeze(self, timeout: float = 2.0) -> bool:
        """Stop every process of the sandbox at once; True when the kernel says all are stopped."""
        return self._set_frozen(True, timeout)

    def thaw(self) -> None:
        self._set_frozen(False, 2.0)

    def _set_frozen(self, frozen: bool, timeout: float) -> bool:
        folder = self.folders.get("freezer")
        if folder is None:
            return False
        if self.version == "v2":
            control, value, state = folder / "cgroup.freeze", "1" if frozen else "0", folder / "cgroup.events"
        else:
            control = state = folder / "freezer.state"
            value = "FROZEN" if frozen else "THAWED"
        try:
            _write(control, value)
            deadline = time.monotonic() + timeout
            while True:  # freezing takes effect as each task reaches a safe point
                text = state.read_text()
                done = (f"frozen {int(frozen)}" in text) if self.version == "v2" else text.strip() == value
                if done or time.monotonic() > deadline:
                    return done
                time.sleep(0.0005)
        except OSError:
            return False

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


def _thaw(folders: Iterable[Path]) -> None:
    """Thaw every folder that can be frozen, whichever controller it was named under (a dead instance's
    stale folders are walked without knowing which hierarchy each belongs to)."""
    for folder in set(folders):
        for control, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
            if (folder / control).exists():
                with contextlib.suppress(OSError):
                    _write(folder / control, value)


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
        for controller in OPTIONAL:
            mount = next((m for m, kind, options in mounts if kind == "cgroup" and controller in options), None)
            if mount is not None and controller in own:
                folder = _make_v1_optional(controller, mount / own[controller].lstrip("/") / name)
                if folder is not None:
                    roots[controller] = folder
        return cls("v1", roots)

    def has(self, controller: str) -> bool:
        return controller in self.roots

    def cpus(self) -> str:
        """Every core this instance may hand out, as a cpuset list ("" without a cpuset)."""
        folder = self.roots.get("cpuset")
        if folder is None:
            return ""
        with contextlib.suppress(OSError):
            return (folder / ("cpuset.cpus.effective" if self.version == "v2" else "cpuset.cpus")).read_text().strip()
        return ""

    def create(self, name: str, limits: CgroupLimits) -> GradingCgroup:
        """A configured cgroup for one grading; raises CgroupError if the kernel refuses."""
        try:
            if self.version == "v2":
                root = next(iter(self.roots.values()))
                folder = root / name
                folder.mkdir()
                group = GradingCgroup("v2", dict.fromkeys(self.roots, folder), limits)
                if limits.cpus and self.has("cpuset"):
                    _write(folder / "cpuset.cpus", limits.cpus)
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
            if "cpuset" in folders:  # a v1 cpuset starts empty: nothing can join until both are set
                root = self.roots["cpuset"]
                _write(folders["cpuset"] / "cpuset.mems", (root / "cpuset.mems").read_text().strip())
                _write(folders["cpuset"] / "cpuset.cpus", limits.cpus or self.cpus())
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
        used = [*CONTROLLERS, *(c for c in OPTIONAL if self.has(c))]
        return f"cgroup {self.version} ({', '.join(used)})"  # no path: /health is public


def _make_v1_optional(controller: str, folder: Path) -> Path | None:
    """This instance's folder in an optional v1 hierarchy, or None when it cannot be made ready."""
    try:
        _clean_stale(folder.parent)
        folder.mkdir()
        if controller == "cpuset":  # inherit the parent's cores and memory nodes
            for key in ("cpuset.mems", "cpuset.cpus"):
                _write(folder / key, (folder.parent / key).read_text().strip())
        return folder
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None


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
            roots = dict.fromkeys(CONTROLLERS, root)
            with contextlib.suppress(OSError):  # optional: cores per sandbox for the speed comparison
                _write(parent / "cgroup.subtree_control", "+cpuset")
                _write(root / "cgroup.subtree_control", "+cpuset")
                roots["cpuset"] = root
            if (root / "cgroup.freeze").exists() or any(p.name == "cgroup.freeze" for p in root.iterdir()):
                roots["freezer"] = root  # built into v2 (Linux 5.2): cgroup.freeze in every non-root folder
            return CgroupTree("v2", roots)
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
