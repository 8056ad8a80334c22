"""The timing lane: one speed comparison at a time per host, on cores that no grading uses meanwhile.

A speed figure is only as good as the quiet it is measured in. So:

- comparisons never overlap: the lane is an exclusive `flock` on a host-wide
  file, held for the whole comparison, by the service and the CLI alike;
- while a comparison runs, its cores are reserved: the lane writes them to a
  state file and moves every running grading's cpuset off them, and every
  grading that starts meanwhile is given a cpuset without them. A sandbox cannot
  widen its cpuset, whatever affinity it asks for;
- when the comparison ends the gradings get every core back.

Creating a grading's cpuset and reserving cores take one gate (`flock`, shared
and exclusive), so that no grading can be created between the reservation and
the sweep with the cores it should not have. The reserved cores are the last
`threads` of the judge's own; a host with no more cores than that reserves none,
and the comparison says so.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from judge.cgroups import PREFIX, CgroupTree

GRADING_PREFIX = "g-"  # a grading's cgroup folder; the lane's own sandboxes use "t-"


def lane_dir() -> Path:
    """Where the lane's lock and state live: host-wide for root, per user otherwise."""
    folder = Path("/run/attention-judge") if os.geteuid() == 0 else Path(
        tempfile.gettempdir()) / f"attention-judge-{os.geteuid()}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def format_cpus(cores: list[int]) -> str:
    return ",".join(str(c) for c in cores)


def parse_cpus(text: str) -> list[int]:
    """A cpuset list such as "0-2,5" as core numbers."""
    cores: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        cores.extend(range(int(low), int(high or low) + 1))
    return cores


def judge_cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def reserve_for(threads: int) -> list[int]:
    """The cores a comparison on `threads` threads takes: the last ones, if any are left for gradings."""
    cores = judge_cores()
    return cores[-threads:] if len(cores) > threads else []


@contextlib.contextmanager
def _gate(exclusive: bool) -> Iterator[None]:
    fd = os.open(lane_dir() / "cpuset.gate", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _reserved() -> list[int]:
    """The cores a running comparison holds; a state file left by a lane holder that was killed is ignored."""
    try:
        reserved = parse_cpus((lane_dir() / "reserved.cpus").read_text())
    except (OSError, ValueError):
        return []
    fd = os.open(lane_dir() / "timing.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return []  # nobody holds the lane: the file is stale
    except BlockingIOError:
        return reserved
    finally:
        os.close(fd)


@contextlib.contextmanager
def grading_cpus() -> Iterator[str | None]:
    """Hold while creating a grading's cgroup: the cores it may use now (None: all of them)."""
    with _gate(exclusive=False):
        reserved = _reserved()
        free = [c for c in judge_cores() if c not in reserved]
        yield format_cpus(free) if reserved and free else None


def _sweep(tree: CgroupTree | str, cpus: str) -> int:
    """Set every running grading's cpuset (of every judge instance beside this one) to `cpus`."""
    if not isinstance(tree, CgroupTree) or not tree.has("cpuset") or not cpus:
        return 0
    moved = 0
    parent = tree.roots["cpuset"].parent
    for instance in parent.glob(f"{PREFIX}*"):
        for grading in instance.glob(f"{GRADING_PREFIX}*"):
            with contextlib.suppress(OSError):
                (grading / "cpuset.cpus").write_text(cpus)
                moved += 1
    return moved


@dataclass(frozen=True)
class LaneSlot:
    """The lane, held: the cores reserved for this comparison (empty when none could be)."""

    cores: list[int]
    enforced: bool  # a cpuset keeps gradings off them (else only the lane's own sandboxes are pinned)

    @property
    def cpus(self) -> str | None:
        return format_cpus(self.cores) if self.cores else None

    def describe(self) -> str:
        if not self.cores:
            return f"no core reserved: the host has {len(judge_cores())} core(s) for the judge"
        how = "gradings are kept off it by cpuset" if self.enforced else "gradings are NOT kept off it (no cpuset)"
        return f"core(s) {self.cpus} reserved for the comparison; {how}"


@contextlib.contextmanager
def timing_lane(threads: int, tree: CgroupTree | str) -> Iterator[LaneSlot]:
    """Wait for the lane, reserve its cores for as long as it is held, then give them back."""
    fd = os.open(lane_dir() / "timing.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # one comparison per host; the kernel drops it if we die
        cores = reserve_for(threads)
        enforced = isinstance(tree, CgroupTree) and tree.has("cpuset")
        state = lane_dir() / "reserved.cpus"
        if cores:
            free = format_cpus([c for c in judge_cores() if c not in cores])
            with _gate(exclusive=True):
                state.write_text(format_cpus(cores))
                _sweep(tree, free)
        try:
            yield LaneSlot(cores, enforced and bool(cores))
        finally:
            if cores:
                with _gate(exclusive=True):
                    with contextlib.suppress(FileNotFoundError):
                        state.unlink()
                    _sweep(tree, format_cpus(judge_cores()))
    finally:
        os.close(fd)
