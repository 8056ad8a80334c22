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
    inputs: dict[str, Any]  # float32 arrays, bool masks or None, and ints, in signature order

    @property
    def name(self) -> str:
        return self.spec.name

    def pristine_inputs(self) -> dict[str, Any]:
        """Fresh copies of the inputs, so that no computation can change the case itself."""
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in self.inputs.items()}


def effective_seed(spec: CaseSpec, secret: str) -> int:
    """The seed a case is generated from: the manifest's for public cases, secret-mixed otherwise."""
    if spec.public:
        return spec.seed
    digest = hashlib.sha256(f"{secret}\x00{spec.name}\x00{spec.seed}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


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


def _shape(arg: Argument, dims: dict[str, int]) -> tuple[int, ...]:
    return tuple(dims[d] for d in arg.shape)


def make_case(problem: Problem, spec: CaseSpec, secret: str) -> Case:
    """The inputs of one case, identical for identical (spec, secret)."""
    seed = effective_seed(spec, secret)
    rng = np.random.default_rng(seed)
    inputs: dict[str, Any] = {}
    for arg in problem.arguments:
        if arg.kind == "int":
            inputs[arg.name] = spec.dims[arg.dim]
        elif arg.kind == "padding_mask":
            inputs[arg.name] = _padding(rng, _shape(arg, spec.dims)) if spec.padding == "varied" else None
        elif arg.kind == "weight":
            inputs[arg.name] = _weight(rng, _shape(arg, spec.dims), spec).astype(np.float32)
        else:
            inputs[arg.name] = _activation(rng, _shape(arg, spec.dims), spec).astype(np.float32)
    return Case(spec=spec, seed=seed, inputs=inputs)


def make_cases(problem: Problem, secret: str) -> list[Case]:
    """Every case of the problem, in manifest order (the order verdicts are reported in)."""
    return [make_case(problem, spec, secret) for spec in problem.cases]

