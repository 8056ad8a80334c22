"""A problem folder's trusted code, loaded by path: its reference, FLOP count, known mistakes and Torch baseline.

Trusted side only. These modules run in the judge's process (the baseline also
in the trusted timing sandbox), never where submitted code runs, and nothing in
the sandbox can see them. The contract (see docs/authoring.md):

- `reference.py` (required): `reference(**inputs)`, the exact answer in NumPy
  float64; optionally `in_float32(**inputs)`, the same arithmetic in float32,
  which sizes the tolerance (without it, the reference runs on float32-rounded
  inputs), and `flops(dims) -> int`, for GFLOP/s in speed figures.
- `baseline.py` (required): `baseline(**inputs)`, the Torch float32 baseline that
  submissions are timed against. It is only found here (importing Torch costs a
  second); it is imported where it runs.
- `mistakes.py` (required when the manifest lists mistakes):
  `variant(params, inputs, dtype=None)`, the output of the known mistake whose
  manifest `recipe` is `params` (computed in `dtype` when one is given, else as
  the recipe says; `variant({}, inputs)` must equal the reference); optionally
  `check_params(params)`, raising ValueError for a recipe it cannot build.
- `generate.py` (optional): `generate(rng, dims, params)`, the values of the
  manifest's `custom` arguments for one case (`params` is the case's free table),
  and/or `condition(**inputs) -> str | None`, None when a drawn input set is
  acceptable, else why not (the case is drawn again).
- `checker.py` (required when an output says `compare = "checker"`):
  `check(got, expected, inputs, tolerance) -> str | None`, None to accept,
  else the reason in words.

Each module may import NumPy, Torch and the shared `reference` building blocks;
modules of one folder do not import each other. A module is loaded once per
content: editing the file loads it again.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REFERENCE_FILE = "reference.py"
BASELINE_FILE = "baseline.py"
MISTAKES_FILE = "mistakes.py"
GENERATE_FILE = "generate.py"
CHECKER_FILE = "checker.py"
BASELINE_FUNCTION = "baseline"

_loaded: dict[tuple[str, str], ModuleType] = {}


class ProblemCodeError(ValueError):
    """A folder module that is missing, does not import, or lacks a function the contract asks for."""


def _load(path: Path) -> ModuleType:
    """Import the file at `path` under a name unique to its content (so an edited file is loaded afresh)."""
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        raise ProblemCodeError(f"{path}: missing") from None
    digest = hashlib.sha256(source).hexdigest()[:16]
    key = (str(path), digest)
    if key in _loaded:
        return _loaded[key]
    name = f"_attention_judge_problem_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ProblemCodeError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look a module up by name while it runs
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ProblemCodeError(f"{path}: does not import: {type(exc).__name__}: {exc}") from exc
    _loaded[key] = module
    return module


def _function(module: ModuleType, path: Path, name: str, required: bool = True) -> Callable[..., Any] | None:
    func = getattr(module, name, None)
    if func is None:
        if required:
            raise ProblemCodeError(f"{path}: defines no function {name}()")
        return None
    if not callable(func):
        raise ProblemCodeError(f"{path}: {name} is a {type(func).__name__}, not a function")
    return func  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ProblemCode:
    """The functions a folder provides, checked to exist."""

    reference: Callable[..., Any]
    in_float32: Callable[..., Any] | None
    flops: Callable[[dict[str, int]], int] | None
    variant: Callable[..., Any] | None
    check_params: Callable[[dict[str, Any]], None] | None
    baseline_path: Path
    reference_module: str  # the loaded reference.py's module name, which carries a hash of its content
    generate: Callable[..., dict[str, Any]] | None = None  # values of the `custom` arguments
    condition: Callable[..., str | None] | None = None  # None when a drawn case is acceptable, else why not
    checker: Callable[..., str | None] | None = None  # None when an output is acceptable, else why not


def defines_function(path: Path, name: str) -> bool:
    """Whether the file at `path` binds `name` at top level (a def, an import or an assignment), unimported."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
    return False


def load_code(folder: Path, needs_mistakes: bool, needs_generate: bool = False,
              needs_checker: bool = False) -> ProblemCode:
    """The folder's trusted functions; ProblemCodeError names the file and what is wrong."""
    reference_path = folder / REFERENCE_FILE
    reference = _load(reference_path)
    baseline_path = folder / BASELINE_FILE
    if not baseline_path.is_file():
        raise ProblemCodeError(f"{baseline_path}: missing (the Torch baseline submissions are timed against)")
    if not defines_function(baseline_path, BASELINE_FUNCTION):
        raise ProblemCodeError(f"{baseline_path}: defines no function {BASELINE_FUNCTION}() (or does not parse)")
    variant = check_params = None
    mistakes_path = folder / MISTAKES_FILE
    if needs_mistakes or mistakes_path.is_file():
        mistakes = _load(mistakes_path)
        variant = _function(mistakes, mistakes_path, "variant")
        check_params = _function(mistakes, mistakes_path, "check_params", required=False)
    generate = condition = checker = None
    generate_path = folder / GENERATE_FILE
    if needs_generate or generate_path.is_file():
        module = _load(generate_path)
        generate = _function(module, generate_path, "generate", required=needs_generate)
        condition = _function(module, generate_path, "condition", required=False)
        if generate is None and condition is None:
            raise ProblemCodeError(f"{generate_path}: defines neither generate() nor condition()")
    checker_path = folder / CHECKER_FILE
    if needs_checker:
        checker = _function(_load(checker_path), checker_path, "check")
    main = _function(reference, reference_path, "reference")
    assert main is not None
    return ProblemCode(
        reference=main,
        in_float32=_function(reference, reference_path, "in_float32", required=False),
        flops=_function(reference, reference_path, "flops", required=False),
        variant=variant,
        check_params=check_params,
        baseline_path=baseline_path,
        reference_module=reference.__name__,
        generate=generate,
        condition=condition,
        checker=checker,
    )


def baseline_function(code: ProblemCode) -> Callable[..., Any]:
    """The Torch baseline, imported (which imports Torch)."""
    func = _function(_load(code.baseline_path), code.baseline_path, BASELINE_FUNCTION)
    assert func is not None
    return func


def folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """A cheap fingerprint of a folder's files (path, mtime, size), to notice an edited problem.

    `solutions/` is left out: it never changes how a submission is graded.
    """
    entries = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and "__pycache__" not in parts and parts[0] != "solutions":
            stat = path.stat()
            entries.append((str(path.relative_to(folder)), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)
