"""How the child is isolated: the bubblewrap command line, its uid, its cgroup and its rlimits.

The sandbox sees the system's /usr (shared libraries), the Python interpreter's
standard library, a private view of only NumPy, Torch and what they need (never
the judge, the references or the project folder), the harness, a new /proc,
a read-only minimal /dev and a size-capped private tmpfs as its only writable
place. It gets new user, PID, IPC, UTS, cgroup and network namespaces, no
capabilities, no nested user namespaces and uid 65534 inside.

When the judge runs as root, every sandbox also runs under an unprivileged uid
leased to it alone (`judge.uids`), inside a cgroup of its own that caps memory,
processes and CPU for the sandbox as a whole (`judge.cgroups`), and in a mount
namespace where the interpreter is reachable even under a 0700 home
(`judge.reach`). A sandbox that cannot start is the judge's Internal Error:
there is no silent fallback. Running without bubblewrap happens only when an
operator asks for it (`JUDGE_UNSANDBOXED=true`), and even then never as root.
"""

from __future__ import annotations

import atexit
import importlib.metadata as metadata
import json
import os
import re
import resource
import secrets
import shutil
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from judge.cgroups import CgroupError, CgroupLimits, CgroupTree, GradingCgroup
from judge.gpu import gpu_device_nodes
from judge.lane import GRADING_PREFIX, grading_cpus
from judge.problem import Limits
from judge.reach import ReachPlan, apply_reach, plan_reach
from judge.uids import UID_FIRST, NoFreeUid, UidLease, kill_processes_of, lease_uid

SANDBOX_DIR = "/sandbox"  # where the harness and wire.py appear inside
SITE_DIR = "/sandbox/site"  # where the allowed packages appear inside
HARNESS_FILES = (Path(__file__).with_name("harness.py"), Path(__file__).with_name("wire.py"))
ALLOWED_DISTRIBUTIONS = ("numpy", "torch")  # and everything they require





def _requirement_names(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        names.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
    return names


def _top_levels(dist: metadata.Distribution) -> set[str]:
    """The first path component of every installed file, read straight from RECORD (fast for Torch)."""
    record = dist.read_text("RECORD")
    if record is None:
        return {file.parts[0] for file in dist.files or []}
    return {line.split(",", 1)[0].split("/", 1)[0] for line in record.splitlines() if line}


@cache
def allowed_package_paths() -> tuple[Path, ...]:
    """The top-level files and folders of NumPy, Torch and their requirements, found on this machine."""
    seen: set[str] = set()
    paths: set[Path] = set()
    pending = list(ALLOWED_DISTRIBUTIONS)
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for top in _top_levels(dist):
            if top == ".." or top.endswith((".dist-info", ".egg-info", ".pth")) or top == "__pycache__":
                continue
            paths.add(Path(str(dist.locate_file(top))).resolve())
        pending.extend(_requirement_names(dist))
    return tuple(sorted(p for p in paths if p.exists()))


def _interpreter_roots() -> list[Path]:
    """What the interpreter itself needs outside /usr: its prefix (binary, libpython, stdlib)."""
    roots = {Path(sys.base_prefix).resolve(), Path(os.path.realpath(sys.executable)).parent.parent}
    return sorted(r for r in roots if not str(r).startswith("/usr/"))


def _site_dirs() -> list[Path]:
    """Every site-packages folder, to be hidden before the allowed packages are shown."""
    candidates = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    candidates |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return sorted({Path(p).resolve() for p in candidates if Path(p).is_dir()})


def _root_links() -> list[str]:
    """/lib, /lib64, /bin, /sbin: symlinks into /usr on merged-/usr systems, else read-only binds."""
    args: list[str] = []
    for name in ("/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    return args



class SandboxError(Exception):
    """The sandbox cannot be started: the judge's fault, never the submission's."""


@dataclass(frozen=True)
class Isolation:
    """Which isolation runs the child, and which limits hold for the sandbox as a whole."""

    level: str  # "bubblewrap", or "none" when an operator asked for no sandbox
    reason: str  # one line for `judge doctor` and every result
    whole: bool  # memory, processes and CPU are capped per sandbox (a cgroup), not only per process
    limits: str  # one line: which limits hold, and how

    def notes(self) -> list[str]:
        """What every result must say about this isolation (nothing when all is as it should be)."""
        notes = [] if self.level == "bubblewrap" else [f"NOT SANDBOXED: {self.reason}"]
        return notes if self.whole else [*notes, f"limits per process only: {self.limits}"]


@dataclass(frozen=True)
class Extras:
    """What a launch may add to the bare sandbox: only the judge's own trusted sandboxes ask for these."""

    binds: tuple[tuple[Path, str], ...] = ()  # (host path, path inside), read-only: the Torch baseline's package
    gpu: bool = False  # the NVIDIA device nodes, for a comparison on CUDA
    cpus: str | None = None  # the cores to run on (the timing lane's); None: a grading's share


NO_EXTRAS = Extras()


def bubblewrap_argv(limits: Limits, threads: int, info_fd: int | None = None, extras: Extras = NO_EXTRAS) -> list[str]:
    """The bwrap command line that wraps the harness; `info_fd` receives the inner PID as JSON."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError("bubblewrap (bwrap) is not installed: run scripts/setup.sh or apt-get install bubblewrap")
    argv = [
        bwrap,
        *(["--info-fd", str(info_fd)] if info_fd is not None else []),
        "--unshare-all",
        "--unshare-user",  # explicit, so that nested user namespaces can be disabled
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--cap-drop",
        "ALL",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        *_root_links(),
    ]
    for root in _interpreter_roots():
        argv += ["--ro-bind", str(root), str(root)]
    for site in _site_dirs():  # hide everything installed, the judge included: empty, tiny and read-only
        argv += ["--size", "4096", "--tmpfs", str(site), "--remount-ro", str(site)]
    for path in allowed_package_paths():
        argv += ["--ro-bind", str(path), f"{SITE_DIR}/{path.name}"]
    for file in HARNESS_FILES:
        argv += ["--ro-bind", str(file), f"{SANDBOX_DIR}/{file.name}"]
    for source, target in extras.binds:
        argv += ["--ro-bind", str(source), target]
    if Path("/sys/devices/system/cpu").is_dir():  # OpenMP reads the CPU topology here
        argv += ["--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    for node in gpu_device_nodes() if extras.gpu else []:  # only what CUDA opens, never the whole /dev
        argv += ["--dev-bind", str(node), str(node)]
    argv += [
        "--remount-ro",  # the device nodes still work; nothing can be written into /dev itself
        "/dev",
        "--size",
        str(limits.tmp_mb << 20),
        "--tmpfs",
        "/tmp",
        "--remount-ro",
        "/",
        "--chdir",
        "/tmp",
    ]
    for key, value in child_environment(threads).items():
        argv += ["--setenv", key, value]
    return argv


def child_environment(threads: int) -> dict[str, str]:
    """The child's whole environment: nothing of the judge's, thread counts pinned."""
    pinned = str(threads)
    return {
        "HOME": "/tmp",
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": pinned,
        "OPENBLAS_NUM_THREADS": pinned,
        "MKL_NUM_THREADS": pinned,
        "NUMEXPR_NUM_THREADS": pinned,
        "VECLIB_MAXIMUM_THREADS": pinned,
    }


@cache
def cgroup_tree() -> CgroupTree | str:
    """This judge instance's cgroup folders (removed at exit), or why there are none."""
    tree = CgroupTree.detect()
    if isinstance(tree, CgroupTree):
        atexit.register(tree.close)
    return tree


def isolation(unsandboxed: bool = False) -> Isolation:
    """What isolation a launch in this process gets, without starting anything (see judge.probe for that)."""
    tree = cgroup_tree()
    root = os.geteuid() == 0
    if isinstance(tree, CgroupTree):
        whole, limits = True, f"memory, processes and CPU capped per sandbox by {tree.describe()}"
    else:
        whole, limits = False, f"memory, processes and CPU are rlimits of each process ({tree})"
        if not root:
            limits += "; sandboxes share the judge user's process count"
    if unsandboxed:
        who = f"an unprivileged uid from {UID_FIRST}" if root else f"the judge's own uid {os.geteuid()}"
        return Isolation("none", f"JUDGE_UNSANDBOXED is set: submissions run without namespaces, as {who}",
                         whole, limits)
    bwrap = shutil.which("bwrap") or "bwrap (NOT INSTALLED)"
    who = f"a leased uid from {UID_FIRST} outside, 65534 inside" if root else "uid 65534 inside"
    return Isolation("bubblewrap", f"{bwrap}: user, PID, IPC, network and mount namespaces; {who}", whole, limits)


@dataclass
class Launch:
    """How to start one child, and what it holds until `release()`: its uid lease and its cgroup."""

    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None]
    isolation: Isolation
    uid: int | None = None  # the leased sandbox uid when the judge runs as root
    cgroup: GradingCgroup | None = None
    _lease: UidLease | None = None

    def after_start(self) -> None:
        """The child has forked: the parent's copies of the join descriptors can go."""
        if self.cgroup is not None:
            self.cgroup.close_join_fds()

    def release(self) -> None:
        """Kill whatever is left in the cgroup, remove it, then give the uid back."""
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self._lease is not None:
            if self.uid is not None:
                kill_processes_of(self.uid)  # anything that escaped the cgroup (none should)
            self._lease.release()
            self._lease = None


def launch(request_fd: int, response_fd: int, limits: Limits, threads: int, info_fd: int | None = None,
           unsandboxed: bool = False, extras: Extras = NO_EXTRAS, shared_fd: int | None = None) -> Launch:
    """Everything needed to start one child; raises SandboxError when it cannot be set up.

    `shared_fd`, when given, is a memfd the harness maps for timed calls (`judge.shared`).
    """
    facts = isolation(unsandboxed)
    if unsandboxed:
        site = _unsandboxed_site()
        argv = [sys.executable, "-I", "-S", str(HARNESS_FILES[0]), str(request_fd), str(response_fd), site]
        env = child_environment(threads)
        sources = [*_interpreter_roots(), *allowed_package_paths(), *HARNESS_FILES, Path(site)]
    else:
        interpreter = os.path.realpath(sys.executable)
        argv = [*bubblewrap_argv(limits, threads, info_fd, extras), interpreter, "-I", "-S",
                f"{SANDBOX_DIR}/harness.py", str(request_fd), str(response_fd), SITE_DIR]
        env = {}
        sources = [*_interpreter_roots(), *allowed_package_paths(), *HARNESS_FILES]
    if shared_fd is not None:
        argv.append(str(shared_fd))
    sources += [source for source, _ in extras.binds]
    plan = Launch(argv, env, lambda: None, facts)
    try:
        if os.geteuid() == 0:
            plan._lease = lease_uid()
            plan.uid = plan._lease.uid
        tree = cgroup_tree()
        if isinstance(tree, CgroupTree):
            plan.cgroup = _create_cgroup(tree, limits, threads, extras.cpus)
        join = plan.cgroup.open_for_join() if plan.cgroup is not None else []
        reach = plan_reach(sources, plan.uid) if plan.uid is not None else ReachPlan((), ())
    except (OSError, CgroupError, NoFreeUid) as exc:
        plan.release()
        raise SandboxError(f"cannot prepare the sandbox: {exc}") from exc
    cores = [int(c) for c in extras.cpus.split(",")] if extras.cpus else []
    plan.preexec = _preexec(limits, plan.uid, join, reach, cores)
    return plan


def _create_cgroup(tree: CgroupTree, limits: Limits, threads: int, cpus: str | None) -> GradingCgroup:
    """The child's cgroup: on the timing lane's cores when given, else a grading's, off any reserved core."""
    if cpus is not None:
        return tree.create(f"t-{secrets.token_hex(6)}",
                           CgroupLimits(limits.memory_mb << 20, limits.processes, float(threads), cpus))
    with grading_cpus() as free:  # holds the gate until the cgroup exists, so a sweep cannot miss it
        return tree.create(f"{GRADING_PREFIX}{secrets.token_hex(6)}",
                           CgroupLimits(limits.memory_mb << 20, limits.processes, float(threads), free))


def _preexec(limits: Limits, uid: int | None, cgroup_fds: list[int], reach: ReachPlan,
             cores: list[int]) -> Callable[[], None]:
    """The child's set-up between fork and exec: join the cgroup, make paths reachable, drop root, set rlimits.

    A failure is written to the child's stderr and ends it with status 126, so
    that the parent reports the reason instead of a bare "preexec failed".
    """

    def apply() -> None:
        try:
            for fd in cgroup_fds:
                os.write(fd, str(os.getpid()).encode())
            if cores:  # the timing lane's cores; a cpuset, where there is one, also keeps it there
                os.sched_setaffinity(0, cores)
            if reach:
                apply_reach(reach)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            memory = limits.memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
            resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if uid is not None:  # a leased uid makes the process count this sandbox's alone
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        except BaseException as exc:
            os.write(2, f"sandbox set-up failed: {exc}\n".encode(errors="replace"))
            os._exit(126)

    return apply


def reap_inner(info_read: int) -> None:
    """Reap bwrap's inner PID-1 process if it was reparented to us; closes `info_read`.

    The outer bwrap exits as soon as it learns the exit status, leaving the inner one
    to whoever adopts orphans. That is init, unless the judge itself is PID 1 (a
    container without an init) or a subreaper: then, unreaped, these zombies would
    pile up. Only that one PID is waited for.
    """
    try:
        info = json.loads(os.read(info_read, 4096) or b"{}")
    except (OSError, ValueError):
        info = {}
    finally:
        os.close(info_read)
    inner = info.get("child-pid") if isinstance(info, dict) else None
    if not isinstance(inner, int):
        return
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(inner, os.WNOHANG)
        except ChildProcessError:
            return  # not ours to reap (init adopted it): the usual case
        if pid:
            return
        time.sleep(0.01)


@cache
def _unsandboxed_site() -> str:
    """Without bubblewrap: a folder of symlinks to the allowed packages only (best effort)."""
    import tempfile

    site = Path(tempfile.mkdtemp(prefix="judge-site-"))
    site.chmod(0o755)  # the child runs under another uid when the judge is root
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    for path in allowed_package_paths():
        (site / path.name).symlink_to(path)
    for file in HARNESS_FILES:
        (site / file.name).symlink_to(file)
    return str(site)
