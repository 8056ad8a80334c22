"""Vetting: a problem is served only once it passes `judge check`, remembered by the content it was checked on.

The key is a hash of everything the check's outcome depends on: every file of
the problem's folder (solutions included), the shared `reference` package and
the judge's own code. Results are small JSON files in a cache directory shared
by every data directory on the machine (`~/.cache/attention-judge/checks` by
default), so a folder is checked once per content, not once per server or test.
Editing any of those files gives a new key, and the folder is checked again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import reference as reference_package
from judge.problem import Problem
from judge.problem_code import folder_signature

Status = Literal["passed", "failed", "unchecked"]
_JUDGE_DIR = Path(__file__).resolve().parent


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/attention-judge/checks`, else `~/.cache/attention-judge/checks`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "attention-judge" / "checks"


@dataclass(frozen=True)
class Vetting:
    """What is known of a problem's check on its current content."""

    status: Status
    key: str  # the content hash the status belongs to
    failures: list[str] = field(default_factory=list)  # the checks that failed, as "name: detail"
    checked_at: float | None = None  # when the check ran (epoch seconds)


def _tree_digest(root: Path, suffixes: tuple[str, ...] | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if not path.is_file() or "__pycache__" in parts or (suffixes and path.suffix not in suffixes):
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _judge_digest() -> str:
    """The judge's code and the shared references: fixed for the life of a process (they are imported)."""
    package = Path(reference_package.__file__ or "").resolve().parent
    return hashlib.sha256((_tree_digest(_JUDGE_DIR, (".py",)) + _tree_digest(package, (".py",))).encode()).hexdigest()


_keys: dict[tuple[str, tuple[tuple[str, int, int], ...], tuple[tuple[str, int, int], ...]], str] = {}


def _solutions_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    solutions = folder / "solutions"
    if not solutions.is_dir():
        return ()
    return tuple((str(p.relative_to(folder)), p.stat().st_mtime_ns, p.stat().st_size)
                 for p in sorted(solutions.rglob("*.py")) if "__pycache__" not in p.parts)


def vetting_key(problem: Problem) -> str:
    """The hash of everything the check depends on (remembered per file signature, so asking is cheap)."""
    folder = problem.folder
    remembered = (str(folder), folder_signature(folder), _solutions_signature(folder))
    if remembered not in _keys:
        text = f"{_judge_digest()}\0{_tree_digest(folder)}"
        _keys[remembered] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return _keys[remembered]


def recorded(problem: Problem, directory: Path) -> Vetting:
    """The recorded check of the problem's current content, or "unchecked"."""
    key = vetting_key(problem)
    try:
        data = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
        status: Status = "passed" if data["ok"] is True else "failed"
        return Vetting(status, key, [str(f) for f in data.get("failures", [])], float(data.get("checked_at", 0.0)))
    except (OSError, ValueError, KeyError, TypeError):
        return Vetting("unchecked", key)


def record(problem: Problem, failures: list[str], directory: Path, key: str | None = None) -> Vetting:
    """Remember a check's outcome for the problem's content (`key`: the content it ran on)."""
    key = key or vetting_key(problem)
    vetting = Vetting("passed" if not failures else "failed", key, failures, time.time())
    directory.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"ok": not failures, "failures": failures, "checked_at": vetting.checked_at,
                          "problem": problem.slug})
    # written whole, then renamed: a reader never sees half a record
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        tmp.write(payload)
    os.replace(tmp.name, directory / f"{key}.json")
    return vetting


def vet(problem: Problem, directory: Path) -> Vetting:
    """The problem's check on its current content: recorded, or run now (minutes) and recorded."""
    known = recorded(problem, directory)
    if known.status != "unchecked":
        return known
    from judge.check import check_problem  # the check grades solutions: only import it when one must run

    report = check_problem(problem)
    failures = [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]
    return record(problem, failures, directory, key=known.key)
