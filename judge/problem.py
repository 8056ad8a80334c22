"""Problems as data: load and validate `problems/<slug>/problem.toml`.

A problem folder holds everything specific to the problem: `problem.toml`,
`statement.md`, `starter.py`, its trusted code (`reference.py`, `baseline.py`,
`mistakes.py`: see `judge.problem_code`) and `solutions/{correct,wrong}/`. A
malformed folder fails at load with the file and the field named.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from judge.problem_code import ProblemCode, ProblemCodeError, baseline_function, load_code
from judge.scoring import Group, Scoring, explain

ArgumentKind = Literal["activation", "weight", "bias", "int", "float", "tokens", "token_lists", "mask",
                       "padding_mask", "custom"]
_KINDS = ("activation", "weight", "bias", "int", "float", "tokens", "token_lists", "mask", "padding_mask", "custom")
MaskPattern = Literal["none", "causal", "padding", "random"]
_MASK_PATTERNS = ("none", "causal", "padding", "random")
OutputDtype = Literal["float", "int"]
Comparison = Literal["tolerance", "exact", "checker"]
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MAX_SLUG = 100

DEFAULT_PROBLEMS_DIR = Path(__file__).resolve().parent.parent / "problems"


class ProblemError(ValueError):
    """A problem folder or manifest that cannot be loaded; the message names file and field."""


@dataclass(frozen=True)
class Argument:
    """One parameter of the entry point, in signature order."""

    name: str
    kind: ArgumentKind
    shape: tuple[str, ...] = ()  # symbolic dims, e.g. ("N", "T_dec", "d"); empty for scalars and lists
    dim: str = ""  # for kind "int": the dim whose value is passed
    keys_of: str = ""  # for kind "padding_mask": the activation whose time axis it pads
    optional: bool = False  # may be passed as None (masks)
    vocab: str = ""  # for "tokens" and "token_lists": the dim whose value bounds the ids (0 <= id < V)
    count: str = ""  # for "token_lists": the dim giving the number of sequences
    length: str = ""  # for "token_lists": the dim giving the longest sequence
    min_length: int = 1  # for "token_lists": the shortest sequence
    range: tuple[float, float] = (0.0, 1.0)  # for "float": drawn uniformly from [low, high)

    @property
    def dims(self) -> set[str]:
        """Every dim this argument's generation reads."""
        return {*self.shape, *(d for d in (self.dim, self.vocab, self.count, self.length) if d)}


@dataclass(frozen=True)
class Output:
    """One returned value: an array of a symbolic shape (a scalar when the shape is empty)."""

    name: str
    shape: tuple[str, ...]
    axes: tuple[str, ...]  # names of the axes, for feedback
    dtype: OutputDtype = "float"
    compare: Comparison = "tolerance"  # the derived float tolerance, exact equality, or the folder's checker


@dataclass(frozen=True)
class CaseSpec:
    """One test case as data; inputs are generated from it and a seed."""

    name: str
    dims: dict[str, int]
    seed: int
    public: bool = False  # shown in the statement, values included in feedback
    scale: float = 1.0  # standard deviation of the activations
    near_constant: bool = False  # activation rows nearly constant (LayerNorm's hard case)
    weight_scale: float = 1.0  # multiplies the weights; small values keep LayerNorm's input near y
    padding: Literal["none", "varied"] = "none"  # padding masks: absent, or varied lengths
    mask: MaskPattern = "none"  # "mask" arguments: None, or a causal, padding or random pattern
    params: dict[str, Any] = field(default_factory=dict)  # free table for the folder's generate()


DETECTORS = ("repeat", "batch")  # mistakes seen by calling the submission again: see judge.behaviour


@dataclass(frozen=True)
class Fit:
    """A recipe field the matcher estimates from the output: a log-scale range, or a list of choices."""

    low: float = 0.0  # the range's ends (both > 0), searched on a log scale; 0 for choices
    high: float = 0.0
    choices: tuple[Any, ...] = ()  # else: the values to try, in order


@dataclass(frozen=True)
class Mistake:
    """A known wrong way to build the block, recognised to explain a Wrong Answer.

    A mistake is a family when it has `fit`: the recipe is completed with the
    values that best explain the output, and `hint` may name them
    (`{layer_norm_eps:.0e}`). A mistake with `detect` is recognised by calling
    the submission again on generated inputs, not by a recipe.
    """

    id: str
    hint: str
    recipe: dict[str, Any]
    fit: dict[str, Fit] = field(default_factory=dict)
    detect: str | None = None  # one of DETECTORS

    def recipes(self) -> list[dict[str, Any]]:
        """The recipe with each combination of the choices; a fitted range at the recipe's own value if it
        gives one (a typical mistake, which `judge check` requires some case to show), else its geometric middle."""
        combos: list[dict[str, Any]] = [dict(self.recipe)]
        for name, spec in self.fit.items():
            if spec.choices:
                combos = [{**c, name: value} for c in combos for value in spec.choices]
            elif name not in self.recipe:
                combos = [{**c, name: math.sqrt(spec.low * spec.high)} for c in combos]
        return combos

    def hint_for(self, values: dict[str, Any]) -> str:
        """The hint with the fitted values filled in."""
        return self.hint.format(**values) if self.fit else self.hint


@dataclass(frozen=True)
class Limits:
    """Sandbox limits for one submission."""

    case_wall_s: float = 10.0  # wall time for one case, enforced by the parent
    cpu_s: int = 60  # CPU seconds for the whole child process
    memory_mb: int = 4096  # address space of the child
    processes: int = 64  # threads and processes inside the sandbox
    file_mb: int = 16  # largest file the child may write
    open_files: int = 256
    tmp_mb: int = 32  # the private tmpfs


@dataclass(frozen=True)
class Tolerance:
    """How the allowed error is derived: see `judge.compare.allowed_error`."""

    dtype: str = "float32"  # the arithmetic a correct solution is expected to use
    depth: tuple[str, ...] = ("d",)  # dims whose sum is the longest chain of accumulations
    safety: float = 16.0  # headroom over the rounding-error estimate


@dataclass(frozen=True)
class Coverage:
    """What `judge check` requires the cases to cover beyond every problem's basics (the `[coverage]` table)."""

    batch: str = ""  # the batch dim: a case with one, and one with several
    time: tuple[str, ...] = ()  # time dims: each of length one somewhere; unequal somewhere if several
    heads: str = ""  # the heads dim: one head somewhere, several somewhere
    near_constant_rows: bool = False  # a case with near-constant activation rows (LayerNorm's hard case)
    overflow: dict[str, Any] | None = None  # a mistake recipe whose output must overflow on some case
    masks: tuple[str, ...] = ()  # mask patterns some case must use


@dataclass(frozen=True)
class Probes:
    """Properties of a right answer that `judge.behaviour` tests by calling a wrong one again (`[probes]`)."""

    causal: tuple[str, ...] = ()  # output position t (axis 1) depends only on these arguments' positions <= t
    permutation: tuple[str, ...] = ()  # permuting these arguments' positions (axis 1) together changes nothing
    normalised_rows: bool = False  # every output row (last axis) is LayerNorm-normalised: mean 0, variance 1


@dataclass(frozen=True)
class Problem:
    """A loaded, validated problem."""

    slug: str
    title: str
    summary: str
    folder: Path
    entry_point: str
    arguments: tuple[Argument, ...]
    outputs: tuple[Output, ...]  # what the entry point returns: one value, or a tuple of several in this order
    code: ProblemCode  # the folder's trusted functions
    cases: tuple[CaseSpec, ...]
    mistakes: tuple[Mistake, ...]
    benchmark_dims: dict[str, int]
    benchmark_device: str = "cpu"  # "cuda": on a GPU host, inputs arrive as CUDA tensors and both sides run there
    limits: Limits = field(default_factory=Limits)
    tolerance: Tolerance = field(default_factory=Tolerance)
    coverage: Coverage = field(default_factory=Coverage)
    probes: Probes = field(default_factory=Probes)
    scoring: Scoring = field(default_factory=Scoring)  # the cases' points (`points` and `[[groups]]`)

    @property
    def statement_path(self) -> Path:
        return self.folder / "statement.md"

    def statement(self) -> str:
        """The statement as students read it: the folder's Markdown, then how partial credit is given."""
        text = self.statement_path.read_text(encoding="utf-8").rstrip()
        names = [c.name for c in self.cases]
        return f"{text}\n\n{explain(self.scoring, names, {c.name for c in self.cases if c.public})}"

    @property
    def starter_path(self) -> Path:
        return self.folder / "starter.py"

    def signature(self) -> str:
        """The entry point's signature, as a student writes it."""
        params = [f"{a.name}=None" if a.optional else a.name for a in self.arguments]
        return f"def {self.entry_point}({', '.join(params)}):"

    def reference_function(self) -> Callable[..., Any]:
        return self.code.reference

    def torch_function(self) -> Callable[..., Any]:
        """The Torch baseline (imports Torch)."""
        return baseline_function(self.code)

    def variant(self, params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> Any:
        """The output of the known mistake `params` on `inputs`, in `dtype` when given (else the recipe's own)."""
        if self.code.variant is None:
            raise ProblemError(f"{self.folder}: has no mistakes.py")
        return self.code.variant(params, inputs, dtype=dtype)

    def in_float32(self, inputs: dict[str, Any]) -> Any:
        """The reference's arithmetic in float32, or the reference on float32-rounded inputs."""
        if self.code.in_float32 is not None:
            return self.code.in_float32(**inputs)
        rounded = {k: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                   for k, v in inputs.items()}
        return self.code.reference(**rounded)

    def flops_at(self, dims: dict[str, int]) -> int | None:
        return int(self.code.flops(dims)) if self.code.flops is not None else None


class _Fields:
    """Typed reads from a TOML table that name the file and field on failure."""

    def __init__(self, path: Path, table: dict[str, Any], where: str) -> None:
        self.path, self.table, self.where = path, table, where

    def fail(self, key: str, why: str) -> ProblemError:
        return ProblemError(f"{self.path}: field '{self.where}{key}': {why}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def sub(self, key: str, index: int | None = None) -> _Fields:
        table = self.get(key, dict) if index is None else self.table[key][index]
        if not isinstance(table, dict):
            raise self.fail(key, "expected a table")
        label = key if index is None else f"{key}[{index}]"
        return _Fields(self.path, table, f"{self.where}{label}.")

    def check_known(self, known: set[str]) -> None:
        unknown = sorted(set(self.table) - known)
        if unknown:
            raise self.fail(unknown[0], f"unknown field; expected one of {sorted(known)}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"str": "a string", "int": "an integer", "float": "a number", "bool": "true/false",
                        "list": "an array", "dict": "a table"}.get(k.__name__, k.__name__) for k in kinds)


def _str_list(f: _Fields, key: str, default: Any = ...) -> tuple[str, ...]:
    values = f.get(key, list, default)
    if not all(isinstance(v, str) for v in values):
        raise f.fail(key, "expected an array of strings")
    return tuple(values)


def _int_dict(f: _Fields, key: str) -> dict[str, int]:
    table = f.get(key, dict)
    for name, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise f.fail(f"{key}.{name}", "expected a positive integer")
    return dict(table)


def _argument(f: _Fields) -> Argument:
    f.check_known({"name", "kind", "shape", "dim", "keys_of", "optional", "vocab", "count", "length", "min_length",
                   "range"})
    kind = f.get("kind", str)
    if kind not in _KINDS:
        raise f.fail("kind", f"expected one of {list(_KINDS)}, got {kind!r}")
    bounds = f.get("range", list, [0.0, 1.0])
    if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds) \
            or not bounds[0] < bounds[1]:
        raise f.fail("range", "expected [low, high] with low < high")
    arg = Argument(
        name=f.get("name", str),
        kind=kind,
        shape=_str_list(f, "shape", []),
        dim=f.get("dim", str, ""),
        keys_of=f.get("keys_of", str, ""),
        optional=f.get("optional", bool, False),
        vocab=f.get("vocab", str, ""),
        count=f.get("count", str, ""),
        length=f.get("length", str, ""),
        min_length=f.get("min_length", int, 1),
        range=(float(bounds[0]), float(bounds[1])),
    )
    needs = {"int": ("dim",), "tokens": ("shape", "vocab"), "token_lists": ("count", "length", "vocab"),
             "padding_mask": ("shape", "keys_of"), "activation": ("shape",), "weight": ("shape",),
             "bias": ("shape",), "mask": ("shape",)}.get(kind, ())
    for key in needs:
        if not getattr(arg, key):
            raise f.fail(key, f"an argument of kind {kind!r} needs '{key}'")
    if kind == "mask" and len(arg.shape) < 2:
        raise f.fail("shape", "a mask's last two axes are (queries, keys)")
    if kind == "padding_mask" and len(arg.shape) != 2:
        raise f.fail("shape", "a padding mask is (batch, keys)")
    if arg.min_length < 0:
        raise f.fail("min_length", "expected 0 or more")
    return arg


def _output(f: _Fields, name: str | None) -> Output:
    f.check_known({"shape", "axes", "dtype", "compare"} | ({"name"} if name is None else set()))
    dtype = f.get("dtype", str, "float")
    if dtype not in ("float", "int"):
        raise f.fail("dtype", f"expected 'float' or 'int', got {dtype!r}")
    compare = f.get("compare", str, "tolerance" if dtype == "float" else "exact")
    if compare not in ("tolerance", "exact", "checker"):
        raise f.fail("compare", f"expected 'tolerance', 'exact' or 'checker', got {compare!r}")
    if dtype == "int" and compare == "tolerance":
        raise f.fail("compare", "an integer output is compared exactly (or by a checker)")
    out = Output(name=f.get("name", str) if name is None else name, shape=_str_list(f, "shape"),
                 axes=_str_list(f, "axes"), dtype=dtype, compare=compare)
    if len(out.axes) != len(out.shape):
        raise f.fail("axes", "needs one name per output dim")
    return out


def _outputs(top: _Fields) -> tuple[Output, ...]:
    if ("output" in top.table) == ("outputs" in top.table):
        raise top.fail("output", "give one [output] table, or several [[outputs]] tables with names")
    if "output" in top.table:
        return (_output(top.sub("output"), "output"),)
    outputs = tuple(_output(top.sub("outputs", i), None) for i in range(len(top.get("outputs", list))))
    names = [o.name for o in outputs]
    if not outputs or len(set(names)) != len(names):
        raise top.fail("outputs", "needs at least one output, each with its own name")
    return outputs


def _case(f: _Fields) -> CaseSpec:
    f.check_known({"name", "dims", "seed", "public", "scale", "near_constant", "weight_scale", "padding", "mask",
                   "params", "points"})
    padding = f.get("padding", str, "none")
    if padding not in ("none", "varied"):
        raise f.fail("padding", f"expected 'none' or 'varied', got {padding!r}")
    mask = f.get("mask", str, "none")
    if mask not in _MASK_PATTERNS:
        raise f.fail("mask", f"expected one of {list(_MASK_PATTERNS)}, got {mask!r}")
    return CaseSpec(
        name=f.get("name", str),
        dims=_int_dict(f, "dims"),
        seed=f.get("seed", int),
        public=f.get("public", bool, False),
        scale=float(f.get("scale", (int, float), 1.0)),
        near_constant=f.get("near_constant", bool, False),
        weight_scale=float(f.get("weight_scale", (int, float), 1.0)),
        padding=padding,
        mask=mask,
        params=dict(f.get("params", dict, {})),
    )


def _points(f: _Fields, key: str = "points") -> float:
    value = f.get(key, (int, float))
    if not (math.isfinite(value) and value >= 0):
        raise f.fail(key, "expected a number of points, 0 or more")
    return float(value)


def _scoring(top: _Fields, cases: list[str]) -> Scoring:
    """Per-case `points` and `[[groups]]`: every case gets its points one way, or none does (one point each)."""
    case_points: dict[str, float] = {}
    for i, case in enumerate(top.get("cases", list)):
        if isinstance(case, dict) and "points" in case:
            case_points[cases[i]] = _points(top.sub("cases", i))
    groups: list[Group] = []
    owner: dict[str, str] = {}
    for i in range(len(top.get("groups", list, []))):
        g = top.sub("groups", i)
        g.check_known({"name", "points", "cases"})
        group = Group(name=g.get("name", str), points=_points(g), cases=_str_list(g, "cases"))
        if not group.cases:
            raise g.fail("cases", "a group needs at least one case")
        for name in group.cases:
            if name not in cases:
                raise g.fail("cases", f"unknown case {name!r}")
            if name in case_points or name in owner:
                raise g.fail("cases", f"case {name!r} already has points "
                                      f"({'its own' if name in case_points else 'group ' + repr(owner[name])})")
            owner[name] = group.name
        groups.append(group)
    scoring = Scoring(case_points, tuple(groups))
    if scoring.declared:
        bare = [name for name in cases if name not in case_points and name not in owner]
        if bare:
            raise top.fail("cases", f"points are declared, so every case needs them (its own `points`, or a "
                                    f"group's); without: {bare}")
        if sum(case_points.values()) + sum(g.points for g in groups) <= 0:
            raise top.fail("groups", "the points add up to 0: nothing could be earned")
    return scoring


def _fit(f: _Fields, name: str) -> Fit:
    spec = f.sub(name)
    spec.check_known({"range", "choices"})
    if "range" in spec.table:
        ends = spec.get("range", list)
        if len(ends) != 2 or not all(isinstance(e, int | float) and not isinstance(e, bool) and e > 0 for e in ends) \
                or not ends[0] < ends[1]:
            raise spec.fail("range", "expected [low, high] with 0 < low < high (searched on a log scale)")
        return Fit(low=float(ends[0]), high=float(ends[1]))
    choices = spec.get("choices", list)
    if not choices:
        raise spec.fail("choices", "expected a non-empty list of values")
    return Fit(choices=tuple(choices))


def _mistake(f: _Fields) -> Mistake:
    f.check_known({"id", "hint", "recipe", "fit", "detect"})
    detect = f.get("detect", str, None)
    if detect is not None and detect not in DETECTORS:
        raise f.fail("detect", f"unknown detector {detect!r}; expected one of {list(DETECTORS)}")
    fits = f.sub("fit") if "fit" in f.table else None
    fit = {name: _fit(fits, name) for name in fits.table} if fits else {}
    if sum(not spec.choices for spec in fit.values()) > 1:
        raise f.fail("fit", "at most one fitted range per mistake (any number of choices)")
    recipe = dict(f.get("recipe", dict, {} if detect else ...))
    hint = f.get("hint", str)
    try:
        hint.format(**{name: spec.low if not spec.choices else spec.choices[0] for name, spec in fit.items()})
    except (KeyError, IndexError, ValueError) as exc:
        raise f.fail("hint", f"names a value that is not fitted ({exc}); fitted: {sorted(fit)}") from exc
    return Mistake(id=f.get("id", str), hint=hint, recipe=recipe, fit=fit, detect=detect)


def _coverage(f: _Fields) -> Coverage:
    f.check_known({"batch", "time", "heads", "near_constant_rows", "overflow", "masks"})
    overflow = f.get("overflow", dict, None)
    masks = _str_list(f, "masks", [])
    unknown = sorted(set(masks) - set(_MASK_PATTERNS))
    if unknown:
        raise f.fail("masks", f"unknown pattern(s) {unknown}; expected some of {list(_MASK_PATTERNS)}")
    return Coverage(batch=f.get("batch", str, ""), time=_str_list(f, "time", []), heads=f.get("heads", str, ""),
                    near_constant_rows=f.get("near_constant_rows", bool, False),
                    overflow=dict(overflow) if overflow is not None else None, masks=masks)


def _probes(f: _Fields) -> Probes:
    f.check_known({"causal", "permutation", "normalised_rows"})
    return Probes(causal=_str_list(f, "causal", []), permutation=_str_list(f, "permutation", []),
                  normalised_rows=f.get("normalised_rows", bool, False))


def _validate(problem: Problem, f: _Fields) -> None:
    """Cross-field checks: every dim used is given by every case, references import."""
    used = {d for a in problem.arguments for d in a.dims}
    used |= {d for o in problem.outputs for d in o.shape} | set(problem.tolerance.depth)
    wanted = problem.coverage
    used |= {d for d in (wanted.batch, wanted.heads, *wanted.time) if d}
    if wanted.overflow is not None and problem.code.variant is None:
        raise f.fail("coverage.overflow", "names a recipe, but the folder has no mistakes.py to build it")
    names = {a.name for a in problem.arguments}
    for arg in problem.arguments:
        if arg.keys_of and arg.keys_of not in names:
            raise f.fail("arguments", f"'{arg.name}' pads keys of unknown argument '{arg.keys_of}'")
    if any(a.kind == "custom" for a in problem.arguments) and problem.code.generate is None:
        raise f.fail("arguments", "a 'custom' argument needs generate() in generate.py")
    for name in (*problem.probes.causal, *problem.probes.permutation):
        if name not in names:
            raise f.fail("probes", f"names unknown argument {name!r}")
    if wanted.masks and not any(a.kind == "mask" for a in problem.arguments):
        raise f.fail("coverage.masks", "names mask patterns, but no argument is of kind 'mask'")
    seen: set[str] = set()
    for i, case in enumerate(problem.cases):
        if case.name in seen:
            raise f.fail(f"cases[{i}].name", f"duplicate case name {case.name!r}")
        seen.add(case.name)
        missing = sorted(used - set(case.dims))
        if missing:
            raise f.fail(f"cases[{i}].dims", f"missing dim(s) {missing}")
    if not problem.cases:
        raise f.fail("cases", "a problem needs at least one case")
    missing = sorted(used - set(problem.benchmark_dims))
    if missing:
        raise f.fail("benchmark.dims", f"missing dim(s) {missing}")
    check_params = problem.code.check_params
    if check_params is not None and wanted.overflow is not None:
        try:
            check_params(wanted.overflow)
        except (TypeError, ValueError) as exc:
            raise f.fail("coverage.overflow", str(exc)) from exc
    for i, mistake in enumerate(problem.mistakes):
        if mistake.detect is None and problem.code.variant is None:
            raise f.fail(f"mistakes[{i}].recipe", "names a recipe, but the folder has no mistakes.py to build it")
        try:
            if check_params is not None and mistake.detect is None:
                for recipe in mistake.recipes():
                    check_params(recipe)
        except (TypeError, ValueError) as exc:
            raise f.fail(f"mistakes[{i}].recipe", str(exc)) from exc


def _code(folder: Path, data: dict[str, Any]) -> ProblemCode:
    arguments = data.get("arguments", [])
    outputs = [data["output"]] if isinstance(data.get("output"), dict) else data.get("outputs", [])
    try:
        return load_code(
            folder,
            needs_mistakes=any(isinstance(m, dict) and "detect" not in m for m in data.get("mistakes", [])),
            needs_generate=any(isinstance(a, dict) and a.get("kind") == "custom" for a in arguments),
            needs_checker=any(isinstance(o, dict) and o.get("compare") == "checker" for o in outputs),
        )
    except ProblemCodeError as exc:
        raise ProblemError(str(exc)) from exc


def load_problem(folder: Path) -> Problem:
    """Load and validate one problem folder; raises ProblemError naming file and field."""
    path = folder / "problem.toml"
    slug = folder.name
    if not _SLUG.match(slug):
        raise ProblemError(f"{folder}: folder name {slug!r} is not a slug (lowercase words joined by '-')")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProblemError(f"{path}: missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError(f"{path}: not valid TOML: {exc}") from exc
    top = _Fields(path, data, "")
    moved = sorted({"reference", "torch_reference", "variants"} & set(data))
    if moved:
        raise top.fail(moved[0], "the trusted code now lives in the folder (reference.py, baseline.py, "
                                 "mistakes.py): remove this field; see docs/authoring.md")
    top.check_known({"title", "summary", "entry_point", "output", "outputs", "arguments", "cases", "mistakes",
                     "benchmark", "limits", "tolerance", "coverage", "probes", "groups"})
    benchmark = top.sub("benchmark")
    benchmark.check_known({"dims", "device"})
    device = benchmark.get("device", str, "cpu")
    if device not in ("cpu", "cuda"):
        raise benchmark.fail("device", f"must be 'cpu' or 'cuda', not {device!r}")
    limits = top.sub("limits") if "limits" in data else _Fields(path, {}, "limits.")
    limits.check_known({f for f in Limits.__dataclass_fields__})
    tol = top.sub("tolerance") if "tolerance" in data else _Fields(path, {}, "tolerance.")
    tol.check_known({"dtype", "depth", "safety"})
    problem = Problem(
        slug=slug,
        title=top.get("title", str),
        summary=top.get("summary", str),
        folder=folder,
        entry_point=top.get("entry_point", str),
        arguments=tuple(_argument(top.sub("arguments", i)) for i in range(len(top.get("arguments", list)))),
        outputs=_outputs(top),
        code=_code(folder, data),
        cases=tuple(_case(top.sub("cases", i)) for i in range(len(top.get("cases", list)))),
        mistakes=tuple(_mistake(top.sub("mistakes", i)) for i in range(len(top.get("mistakes", list, [])))),
        benchmark_dims=_int_dict(benchmark, "dims"),
        benchmark_device=device,
        limits=Limits(**{k: limits.get(k, (int, float)) for k in limits.table}),
        tolerance=Tolerance(
            dtype=tol.get("dtype", str, "float32"),
            depth=_str_list(tol, "depth", ["d"]),
            safety=float(tol.get("safety", (int, float), 16.0)),
        ),
        coverage=_coverage(top.sub("coverage") if "coverage" in data else _Fields(path, {}, "coverage.")),
        probes=_probes(top.sub("probes") if "probes" in data else _Fields(path, {}, "probes.")),
    )
    problem = replace(problem, scoring=_scoring(top, [c.name for c in problem.cases]))
    for name in ("statement.md", "starter.py"):
        if not (folder / name).is_file():
            raise ProblemError(f"{folder / name}: missing")
    _validate(problem, top)
    return problem


def problem_roots(root: Path | str) -> list[Path]:
    """The problem directories a setting names: one path, or several joined by os.pathsep (first wins)."""
    return [Path(part) for part in str(root).split(os.pathsep) if part]


@dataclass(frozen=True)
class Catalogue:
    """What the problem directories hold: the problems that load, and the folders that do not, with why."""

    problems: dict[str, Problem]
    broken: dict[str, str]  # folder path -> the reason it cannot be served


def catalogue(root: Path | str = DEFAULT_PROBLEMS_DIR) -> Catalogue:
    """Every problem folder under the roots. A broken folder is listed with its reason and hurts no other."""
    problems: dict[str, Problem] = {}
    broken: dict[str, str] = {}
    for directory in problem_roots(root):
        if not directory.is_dir():
            broken[str(directory)] = f"{directory}: the problems folder does not exist"
            continue
        for folder in sorted(directory.iterdir()):
            if not folder.is_dir() or folder.name.startswith((".", "_")):
                continue
            if folder.name in problems:
                broken[str(folder)] = f"{folder}: shadowed by {problems[folder.name].folder} (an earlier directory)"
                continue
            try:
                problems[folder.name] = load_problem(folder)
            except ProblemError as exc:
                broken[str(folder)] = str(exc)
    return Catalogue(problems, broken)


def discover(root: Path | str = DEFAULT_PROBLEMS_DIR) -> dict[str, Problem]:
    """Every problem that loads under the roots, by slug (broken folders are left out: see `catalogue`)."""
    return catalogue(root).problems


class UnknownProblem(LookupError):
    """A slug that names no problem that can be served."""


def get_problem(slug: str, root: Path | str = DEFAULT_PROBLEMS_DIR) -> Problem:
    """One problem by slug, from the first root that has its folder.

    UnknownProblem lists the known slugs when no root has it; a folder that
    exists but does not load raises ProblemError with the reason (for authors and
    admins; the service shows students a 404 instead).
    """
    # a slug longer than any folder name could be would make the file system raise, not answer
    if len(slug) <= _MAX_SLUG and _SLUG.match(slug):
        for directory in problem_roots(root):
            folder = directory / slug
            if folder.is_dir():
                return load_problem(folder)
    known = ", ".join(sorted(discover(root))) or "none"
    raise UnknownProblem(f"unknown problem {slug!r}; known problems: {known}")
