"""Fixtures for grading hostile submissions through the real sandbox (tests/judge/test_hostile.py).

Nothing here is autouse: the other tests in this folder are unaffected.

`hostile` grades a fixture from tests/judge/hostile/ and then proves that the judge is
unharmed: no process of the run is left (by the run's own sandbox uid, or by the run's
unique marker in a command line), no file carrying the marker or owned by a sandbox uid
appeared in the host's /tmp, $HOME or the project tree, the judge's own temp folder is
empty, and an honest submission graded right after, in the same sandbox slot, is Accepted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import judge
from judge import sandbox
from judge.grader import GradeOptions, grade
from judge.problem import Problem, get_problem
from judge.uids import UID_COUNT, UID_FIRST
from judge.verdicts import GradeResult, Verdict

HOSTILE_DIR = Path(__file__).resolve().with_name("hostile")
REPO = Path(__file__).resolve().parents[2]
JUDGE_DIR = Path(judge.__file__).resolve().parent
HOME = Path.home()
SANDBOX_UIDS = range(UID_FIRST, UID_FIRST + UID_COUNT)
NO_UID = -1  # what a run's uid is when the judge is not root (no uid is leased): no process has it
GRACE_S = 5.0  # how long a run's processes may take to disappear after grade() returns
_PLACEHOLDER = re.compile(r"__(?!HONEST__)([A-Z][A-Z0-9_]*)__")  # __HONEST__ goes first (honest.py quotes it)


def fast_limits_problem(**limits: float) -> Problem:
    """cross-attention with tight limits, so that hostile runs end quickly."""
    problem = get_problem("cross-attention")
    tight = {"case_wall_s": 2.0, "cpu_s": 5, "memory_mb": 1024, **limits}
    return dataclasses.replace(problem, limits=dataclasses.replace(problem.limits, **tight))


def honest_source() -> str:
    return (HOSTILE_DIR / "honest.py").read_text(encoding="utf-8")


def load_fixture(name: str, **substitutions: str) -> str:
    """A fixture's source: `# __HONEST__` becomes the honest submission, `__KEY__` placeholders are filled."""
    source = (HOSTILE_DIR / f"{name}.py").read_text(encoding="utf-8")
    source = source.replace("# __HONEST__\n", honest_source() + "\n")
    values = {"REPO": str(REPO), "HOME": str(HOME), "JUDGE_DIR": str(JUDGE_DIR), **substitutions}
    source = _PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) in values else m.group(0), source)
    left = _PLACEHOLDER.search(source)
    assert left is None, f"fixture {name} needs a value for {left.group(0)}"
    return source


# --- what a run may leave behind -------------------------------------------------------------


def _uids(pid: str) -> set[int]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return set()
    line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "")
    return {int(u) for u in line.split()[1:]}


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return "X"


def run_processes(uid: int, marker: str) -> dict[int, str]:
    """Live processes running as `uid`, or whose command line mentions `marker`: pid -> command line.

    Zombies are dead already (they wait for the host's init to reap them) and are not counted.
    """
    found = {}
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me or _state(entry) in ("Z", "X"):
            continue
        cmdline = _cmdline(entry)
        if uid in _uids(entry) or marker.encode() in cmdline:
            found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
    return found


def sandbox_uid_processes() -> dict[int, int]:
    """Every process whose uid is in the sandbox range: pid -> uid."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            inside = [u for u in _uids(entry) if u in SANDBOX_UIDS]
            if inside:
                found[int(entry)] = inside[0]
    return found


def _owner(path: Path) -> int | None:
    try:
        return path.lstat().st_uid
    except OSError:
        return None


def _top_level(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _project_entries_with(marker: str) -> list[Path]:
    """Files in the project tree (not .git) named with the marker or owned by a sandbox uid."""
    hits = []
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            path = Path(root, name)
            if marker in name or _owner(path) in SANDBOX_UIDS:
                hits.append(path)
    return hits


@dataclasses.dataclass
class Snapshot:
    tmp: set[str]
    home: set[str]


def snapshot() -> Snapshot:
    return Snapshot(tmp=_top_level(Path("/tmp")), home=_top_level(HOME))


def leftovers(before: Snapshot, marker: str) -> list[str]:
    """What a run left in the host's /tmp, $HOME, the project and the judge package."""
    found: list[str] = []
    for folder, seen in ((Path("/tmp"), before.tmp), (HOME, before.home)):
        for name in _top_level(folder) - seen:
            path = folder / name
            if marker in name or _owner(path) in SANDBOX_UIDS:
                found.append(f"{path} (new, owner {_owner(path)})")
        found += [str(folder / n) for n in _top_level(folder) if marker in n and n in seen]
    found += [str(p) for p in _project_entries_with(marker)]
    found += [str(JUDGE_DIR / n) for n in _top_level(JUDGE_DIR) if marker in n]
    return found


def _wait_gone(uid: int, marker: str) -> dict[int, str]:
    deadline = time.monotonic() + GRACE_S
    while (alive := run_processes(uid, marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _reap(pids: dict[int, str]) -> None:
    """Kill (by pid) the processes a failed test found left over, so they do not hurt later tests."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# --- the fixtures ----------------------------------------------------------------------------


@dataclasses.dataclass
class HostileRun:
    result: GradeResult
    marker: str
    uid: int
    leftover_processes: dict[int, str]
    leftover_files: list[str]
    judge_temp_files: list[str]
    honest_after: GradeResult

    def assert_unharmed(self) -> None:
        assert self.result.sandbox == "bubblewrap", self.result.details
        assert not self.leftover_processes, f"processes of the run outlived it: {self.leftover_processes}"
        assert not self.leftover_files, f"the run left files behind: {self.leftover_files}"
        assert not self.judge_temp_files, f"the judge left temporary files: {self.judge_temp_files}"
        assert self.honest_after.verdict is Verdict.ACCEPTED, (
            f"the judge was harmed: the honest submission got {self.honest_after.verdict}: "
            f"{[c.message for c in self.honest_after.cases]}")


HostileGrader = Callable[..., HostileRun]


@pytest.fixture
def judge_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temp folder for the judge process, to see whether grading leaves temp files."""
    folder = tmp_path / "judge-temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


class LeaseRecorder:
    """Records every sandbox uid leased while installed (the uid a run's processes carry)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.uids: list[int] = []
        real = sandbox.lease_uid

        def recording(*args: object, **kwargs: object) -> object:
            lease = real()
            self.uids.append(lease.uid)
            return lease

        monkeypatch.setattr(sandbox, "lease_uid", recording)

    def last(self) -> int:
        return self.uids[-1] if self.uids else NO_UID


@pytest.fixture
def leases(monkeypatch: pytest.MonkeyPatch) -> LeaseRecorder:
    return LeaseRecorder(monkeypatch)


@pytest.fixture
def hostile(judge_tempdir: Path, leases: LeaseRecorder) -> HostileGrader:
    """Grade a hostile fixture through the real sandbox and collect everything it may have harmed.

    Call as hostile(name, problem=None, **placeholders) or hostile(source=..., ...);
    the returned HostileRun's assert_unharmed() checks the judge afterwards.
    """

    def run(name: str | None = None, *, source: str | None = None, problem: Problem | None = None,
            marker: str | None = None, **substitutions: str) -> HostileRun:
        marker = marker or f"hostile-{secrets.token_hex(8)}"
        code = source if source is not None else load_fixture(name or "", MARKER=marker, **substitutions)
        problem = problem or fast_limits_problem()
        before = snapshot()
        result = grade(problem, code, GradeOptions(timing=False))
        uid = leases.last()
        alive = _wait_gone(uid, marker)
        _reap(alive)
        files = leftovers(before, marker)
        temp = [str(p) for p in judge_tempdir.iterdir()]
        # the next submission, as the service would run it (the first free uid: usually the same one)
        honest = grade(problem, honest_source(), GradeOptions(timing=False))
        alive_after_honest = _wait_gone(leases.last(), marker)
        _reap(alive_after_honest)
        return HostileRun(result, marker, uid, {**alive, **alive_after_honest}, files, temp, honest)

    return run
