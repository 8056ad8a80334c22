"""Deterministic, seeded generation of a case's inputs from its spec.

Public cases use their manifest seed as it stands, so a student can reproduce
them. Hidden cases mix the seed with a per-deployment secret, so a submission
that knows the manifest still cannot regenerate their inputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from judge.problem import Argument, CaseSpec, Problem


@dataclass(frozen=True)
class Case:
    """A case ready to run: its spec, the seed actually used, and the inputs by name."""

    spec: CaseSpec
    seed: int  # the effective seed (mixed with the secret for hidden cases)
    inputs: dict[str, Any]  # arrays, None, numbers and token lists, in signature order

    @property
    def name(self) -> str:
        return self.spec.name

    def pristine_inputs(self) -> dict[str, Any]:
        """Fresh copies of the inputs, so that no computation can change the case itself."""
        return {k: _copy(v) for k, v in self.inputs.items()}


def effective_seed(spec: CaseSpec, secret: str) -> int:
    """The seed a case is generated from: the manifest's for public cases, secret-mixed otherwise."""
    if spec.public:
        return spec.seed
    digest = hashlib.sha256(f"{secret}\x00{spec.name}\x00{spec.seed}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


MAX_DRAWS = 100  # attempts at a case that the folder's condition() accepts


class CaseError(ValueError):
    """A case that cannot be generated: the folder's generate() failed, or no draw met its condition."""


def _activation(rng: np.random.Generator, shape: tuple[int, ...], spec: CaseSpec) -> np.ndarray:
    if spec.near_constant:
        # each row is a constant offset plus a perturbation far below the offset, so a
        # LayerNorm that mishandles eps or the mean's cancellation shows
        offset = rng.standard_normal((*shape[:-1], 1))
        x = offset + 1e-3 * rng.standard_normal(shape)
    else:
        x = rng.standard_normal(shape)
    return x * spec.scale


def _weight(rng: np.random.Generator, shape: tuple[int, ...], spec: CaseSpec) -> np.ndarray:
    # variance 1/fan_in keeps every sublayer's output at unit scale
    weights: np.ndarray = rng.standard_normal(shape) * (spec.weight_scale / np.sqrt(shape[0]))
    return weights


def _padding(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """(N, S) key padding, True = padded: each row keeps a random 1..S unpadded prefix."""
    n, s = shape
    kept = rng.integers(1, s + 1, size=n)
    kept[rng.integers(n)] = s  # at least one row is unpadded, one case of "varied"
    return np.arange(s)[None, :] >= kept[:, None]


def attention_mask(rng: np.random.Generator, shape: tuple[int, ...], pattern: str) -> np.ndarray:
    """A bool mask whose last two axes are (queries, keys); True = may not be attended.

    "causal": key j is blocked for query i when j > i + max(T_k - T_q, 0), so the
    last query sees every key; "padding": per index of the first axis a kept prefix
    of keys, broadcast over the rest; "random": each entry blocked with probability
    0.3. Whatever the pattern, every query keeps at least one key.
    """
    t_q, t_k = shape[-2:]
    if pattern == "causal":
        offset = max(t_k - t_q, 0)
        blocked = np.arange(t_k)[None, :] > np.arange(t_q)[:, None] + offset
        mask = np.broadcast_to(blocked, shape).copy()
    elif pattern == "padding":
        kept = rng.integers(1, t_k + 1, size=shape[0])
        kept[rng.integers(shape[0])] = t_k
        blocked = np.arange(t_k)[None, :] >= kept[:, None]  # (first axis, T_k)
        mask = np.broadcast_to(blocked.reshape(shape[0], *([1] * (len(shape) - 2)), t_k), shape).copy()
    else:
        mask = rng.random(shape) < 0.3
    rows = mask.all(axis=-1)  # queries left with no key: give each one back a random key
    if rows.any():
        index = np.nonzero(rows)
        mask[(*index, rng.integers(0, t_k, size=len(index[0])))] = False
    return mask


def _token_lists(rng: np.random.Generator, arg: Argument, dims: dict[str, int]) -> list[list[int]]:
    longest, vocab = dims[arg.length], dims[arg.vocab]
    lengths = rng.integers(min(arg.min_length, longest), longest + 1, size=dims[arg.count])
    return [[int(t) for t in rng.integers(0, vocab, size=int(n))] for n in lengths]


def _shape(arg: Argument, dims: dict[str, int]) -> tuple[int, ...]:
    return tuple(dims[d] for d in arg.shape)


def argument_value(rng: np.random.Generator, arg: Argument, spec: CaseSpec) -> Any:
    """One declarative argument's value (None for `custom`, which the folder's generate() supplies)."""
    dims = spec.dims
    if arg.kind == "int":
        return dims[arg.dim]
    if arg.kind == "float":
        return float(rng.uniform(*arg.range))
    if arg.kind == "padding_mask":
        return _padding(rng, _shape(arg, dims)) if spec.padding == "varied" else None
    if arg.kind == "mask":
        if spec.mask == "none":
            return None if arg.optional else np.zeros(_shape(arg, dims), dtype=bool)
        return attention_mask(rng, _shape(arg, dims), spec.mask)
    if arg.kind == "tokens":
        return rng.integers(0, dims[arg.vocab], size=_shape(arg, dims), dtype=np.int64)
    if arg.kind == "token_lists":
        return _token_lists(rng, arg, dims)
    if arg.kind == "weight":
        return _weight(rng, _shape(arg, dims), spec).astype(np.float32)
    if arg.kind == "bias":
        return (0.1 * spec.weight_scale * rng.standard_normal(_shape(arg, dims))).astype(np.float32)
    if arg.kind == "activation":
        return _activation(rng, _shape(arg, dims), spec).astype(np.float32)
    return None


def draw_inputs(problem: Problem, spec: CaseSpec, rng: np.random.Generator) -> dict[str, Any]:
    """One input set for `spec`, in signature order: declarative kinds, then the folder's generate()."""
    inputs = {arg.name: argument_value(rng, arg, spec) for arg in problem.arguments}
    custom = [a.name for a in problem.arguments if a.kind == "custom"]
    if custom:
        assert problem.code.generate is not None  # the loader requires it
        try:
            made = problem.code.generate(rng, dict(spec.dims), dict(spec.params))
        except Exception as exc:
            raise CaseError(f"{problem.slug}: generate() failed on case {spec.name!r}: "
                            f"{type(exc).__name__}: {exc}") from exc
        missing = [name for name in custom if not isinstance(made, dict) or name not in made]
        if missing:
            raise CaseError(f"{problem.slug}: generate() gave no value for {missing} on case {spec.name!r}")
        inputs.update({name: made[name] for name in custom})
    return inputs


def acceptable_inputs(problem: Problem, spec: CaseSpec, rng: np.random.Generator) -> dict[str, Any]:
    """Inputs for `spec` that meet the folder's condition(), drawn again from the same stream until they do."""
    condition = problem.code.condition
    reason = ""
    for _ in range(MAX_DRAWS if condition is not None else 1):
        inputs = draw_inputs(problem, spec, rng)
        if condition is None:
            return inputs
        try:
            refused = condition(**{k: _copy(v) for k, v in inputs.items()})
        except Exception as exc:
            raise CaseError(f"{problem.slug}: condition() failed on case {spec.name!r}: "
                            f"{type(exc).__name__}: {exc}") from exc
        if refused is None:
            return inputs
        reason = str(refused)
    raise CaseError(f"{problem.slug}: no draw of case {spec.name!r} met condition() in {MAX_DRAWS} tries "
                    f"(the last: {reason})")


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def make_case(problem: Problem, spec: CaseSpec, secret: str) -> Case:
    """The inputs of one case, identical for identical (spec, secret)."""
    seed = effective_seed(spec, secret)
    return Case(spec=spec, seed=seed, inputs=acceptable_inputs(problem, spec, np.random.default_rng(seed)))


def make_cases(problem: Problem, secret: str) -> list[Case]:
    """Every case of the problem, in manifest order (the order verdicts are reported in)."""
    return [make_case(problem, spec, secret) for spec in problem.cases]

