"""How the child is isolated: the bubblewrap command line and the resource limits.

The sandbox sees the system's /usr (shared libraries), the Python interpreter's
standard library, a private view of only NumPy, Torch and what they need (never
the judge, the references or the project folder), the harness, a new /proc,
a minimal /dev and a small private tmpfs as its only writable place. It gets new
user, PID, IPC, UTS, cgroup and network namespaces and a non-root uid; when the
judge runs as root it also drops to an unprivileged uid before bwrap starts, so
that the kernel counts and limits the child's processes.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import re
import resource
import shutil
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from judge.problem import Limits

SANDBOX_DIR = "/sandbox"  # where the harness and wire.py appear inside
SITE_DIR = "/sandbox/site"  # where the allowed packages appear inside
HARNESS_FILES = (Path(__file__).with_name("harness.py"), Path(__file__).with_name("wire.py"))
ALLOWED_DISTRIBUTIONS = ("numpy", "torch")  # and everything they require
SANDBOX_UID_BASE = 61000  # unprivileged uids used when the judge runs as root


@dataclass(frozen=True)
class Isolation:
    """Which isolation runs the child, and why."""

    level: str  # "bubblewrap" or "none"
    reason: str  # one line for `judge doctor` and every result


@dataclass(frozen=True)
class Launch:
    """How to start one child: its argv, environment and the pre-exec hook that applies limits."""

    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None]
    isolation: Isolation


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


def bubblewrap_argv(limits: Limits, threads: int, info_fd: int | None = None) -> list[str]:
    """The bwrap command line that wraps the harness; `info_fd` receives the inner PID as JSON."""
    bwrap = shutil.which("bwrap")
    assert bwrap is not None
    argv = [
        bwrap,
        *(["--info-fd", str(info_fd)] if info_fd is not None else []),
        "--unshare-all",
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
    for site in _site_dirs():
        argv += ["--tmpfs", str(site)]  # hide everything installed, the judge included
    for path in allowed_package_paths():
        argv += ["--ro-bind", str(path), f"{SITE_DIR}/{path.name}"]
    for file in HARNESS_FILES:
        argv += ["--ro-bind", str(file), f"{SANDBOX_DIR}/{file.name}"]
    if Path("/sys/devices/system/cpu").is_dir():  # OpenMP reads the CPU topology here
        argv += ["--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    argv += [
        "--proc",
        "/proc",
        "--dev",
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


def _limit_setter(limits: Limits, drop_to_uid: int | None) -> Callable[[], None]:
    """A pre-exec hook: drop root if we are root, then set the rlimits bwrap and the child inherit."""

    def apply() -> None:
        if drop_to_uid is not None:
            os.setgroups([])
            os.setgid(drop_to_uid)
            os.setuid(drop_to_uid)
        memory = limits.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if drop_to_uid is not None:  # only a fresh uid makes the process count ours alone
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

    return apply


def reap_inner(info_read: int) -> None:
    """Reap bwrap's inner PID-1 process if it was reparented to us; closes `info_read`.

    The outer bwrap exits as soon as it learns the exit status, leaving the inner one
    to whoever adopts orphans. That is init, unless the judge itself is PID 1 (a
    container without an init) or a subreaper: then, unreaped, these zombies would
    pile up against the sandbox uid's process limit. Only that one PID is waited for.
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
def detect_isolation() -> Isolation:
    """Bubblewrap when it is installed and can create its namespaces here; else none, loudly."""
    if not sys.platform.startswith("linux"):
        return Isolation("none", f"bubblewrap needs Linux; this is {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation("none", "bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    import subprocess

    info_read, info_write = os.pipe()
    probe = [bwrap, "--info-fd", str(info_write), "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"]
    drop = SANDBOX_UID_BASE if os.geteuid() == 0 else None
    try:
        result = subprocess.run(
            probe,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            pass_fds=(info_write,),
            preexec_fn=_limit_setter(Limits(), drop),
        )
    finally:
        os.close(info_write)
        reap_inner(info_read)
    if result.returncode != 0:
        why = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        return Isolation("none", f"bubblewrap cannot create namespaces here ({why})")
    return Isolation("bubblewrap", f"{bwrap}: user, PID, IPC, network namespaces; uid 65534 inside")


def launch(
    request_fd: int, response_fd: int, limits: Limits, threads: int, slot: int = 0, info_fd: int | None = None
) -> Launch:
    """Everything needed to start one child with the strongest isolation available."""
    isolation = detect_isolation()
    harness = [sys.executable, "-I", "-S"]
    if isolation.level == "bubblewrap":
        interpreter = os.path.realpath(sys.executable)
        argv = [
            *bubblewrap_argv(limits, threads, info_fd),
            interpreter,
            "-I",
            "-S",
            f"{SANDBOX_DIR}/harness.py",
            str(request_fd),
            str(response_fd),
            SITE_DIR,
        ]
        env: dict[str, str] = {}
        drop = SANDBOX_UID_BASE + slot if os.geteuid() == 0 else None
    else:
        # No namespaces: rlimits, a cleared environment and a private site view are all we have.
        argv = [*harness, str(HARNESS_FILES[0]), str(request_fd), str(response_fd), _unsandboxed_site()]
        env = child_environment(threads)
        drop = None
    return Launch(argv, env, _limit_setter(limits, drop), isolation)


@cache
def _unsandboxed_site() -> str:
    """Without bubblewrap: a folder of symlinks to the allowed packages only (best effort)."""
    import atexit
    import tempfile

    site = Path(tempfile.mkdtemp(prefix="judge-site-"))
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    for path in allowed_package_paths():
        (site / path.name).symlink_to(path)
    for file in HARNESS_FILES:
        (site / file.name).symlink_to(file)
    return str(site)
