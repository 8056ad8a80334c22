"""Name the likely mistake: explain a wrong output by the problem's known mistakes, alone or two together.

Trusted side only. Each mistake in the manifest has a recipe, which the
problem folder's `mistakes.py` builds; its variant is computed on the same
inputs and compared with the submission's output under the tolerance the
mistake's own arithmetic allows. A mistake with `fit` is a family: the values
of its fitted fields (an eps, a choice of form) are estimated from the wrong
outputs first. A hint is given only when one explanation reproduces every
wrong output; anything less says nothing rather than something misleading.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from judge.cases import Case
from judge.outputs import OutputError, as_outputs, compare_all, largest_gap
from judge.problem import Mistake, Problem

_GRID = 13  # log-spaced points tried over a fitted range before refining
_REFINE = 18  # golden-section steps around the best grid point
_SCREEN = 50.0  # a pair is fitted in full only if its coarse fit comes within this many tolerances
_INVPHI = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class WrongOutput:
    """A case whose output was readable but wrong."""

    case: Case
    outputs: list[np.ndarray]  # what the submission returned, one array per output
    expected: tuple[np.ndarray, ...]  # the reference outputs
    tolerance: float


@dataclass(frozen=True)
class Explanation:
    """One or two known mistakes, with any fitted values, that reproduce every wrong output."""

    mistakes: tuple[Mistake, ...]
    values: dict[str, Any] = field(default_factory=dict)  # the fitted recipe fields

    @property
    def id(self) -> str:
        """The ids joined by '+', e.g. 'pre-ln+relu' (the result's `mistake` field)."""
        return "+".join(m.id for m in self.mistakes)

    @property
    def hint(self) -> str:
        return " ".join(m.hint_for(self.values) for m in self.mistakes)


def _variant(problem: Problem, recipe: dict[str, Any], wrong: WrongOutput,
             dtype: str | None = None) -> list[np.ndarray] | None:
    with np.errstate(all="ignore"):
        try:
            outputs = as_outputs(problem, problem.variant(recipe, wrong.case.pristine_inputs(), dtype=dtype))
        except (OutputError, ValueError, TypeError, FloatingPointError, ZeroDivisionError):
            return None  # a combination the variant cannot build (or one that breaks on these inputs)
    if any(e.shape != w.shape for e, w in zip(outputs, wrong.outputs, strict=True)):
        return None
    return outputs


def _aligned(got: list[np.ndarray], variant: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Both sides with their non-finite values set aside: they must be the same values in the same places
    (a softmax that overflows gives NaN exactly where its variant does), and are then compared as zeros."""
    kept_got, kept_variant = [], []
    for g, v in zip(got, variant, strict=True):
        if g.dtype.kind in "iu" and v.dtype.kind in "iu":  # integers are always finite: compared as they are
            kept_got.append(g)
            kept_variant.append(v)
            continue
        g64, v64 = g.astype(np.float64), v.astype(np.float64)
        odd = ~np.isfinite(g64)
        if not np.array_equal(odd, ~np.isfinite(v64)) or not np.array_equal(g64[odd], v64[odd], equal_nan=True):
            return None
        kept_got.append(np.where(odd, 0.0, g64))
        kept_variant.append(np.where(odd, 0.0, v64))
    return kept_got, kept_variant


def _mistake_tolerance(problem: Problem, recipe: dict[str, Any], wrong: WrongOutput,
                       variant: list[np.ndarray]) -> float:
    if recipe.get("dtype") in (None, "float64", "float32"):
        # the mistaken block can be worse conditioned than the right one: allow its own float32 error
        other = _variant(problem, recipe, wrong, dtype="float32")
    else:
        # Rounding in a lower precision differs between implementations, so a low-precision
        # mistake matches when the output strays from the variant by no more than the
        # variant strays from the same recipe in float64 (twice over): errors of the same precision.
        other = _variant(problem, {k: v for k, v in recipe.items() if k != "dtype"}, wrong)
    pair = _aligned(other, variant) if other is not None else None
    if pair is None:
        return wrong.tolerance
    factor = problem.tolerance.safety if recipe.get("dtype") in (None, "float64", "float32") else 2.0
    return max(wrong.tolerance, factor * largest_gap(*pair))


def _matches(problem: Problem, recipe: dict[str, Any], wrong: WrongOutput) -> bool:
    variant = _variant(problem, recipe, wrong)
    pair = _aligned(wrong.outputs, variant) if variant is not None else None
    if variant is None or pair is None:
        return False
    tolerance = _mistake_tolerance(problem, recipe, wrong, variant)
    _, comparison = compare_all(problem, pair[0], pair[1], tolerance, wrong.case.pristine_inputs())
    return comparison.passed


def _badness(problem: Problem, recipe: dict[str, Any], wrongs: list[WrongOutput]) -> float:
    """How far the variant is from the submission, in tolerances (the worst case): the fit's objective."""
    worst = 0.0
    for wrong in wrongs:
        variant = _variant(problem, recipe, wrong)
        pair = _aligned(wrong.outputs, variant) if variant is not None else None
        if pair is None:
            return math.inf
        worst = max(worst, largest_gap(*pair) / max(wrong.tolerance, 1e-300))
    return worst


def _fit_range(problem: Problem, recipe: dict[str, Any], name: str, low: float, high: float,
               wrongs: list[WrongOutput]) -> tuple[float, float]:
    """The value of `name` in [low, high] (log scale) that best explains `wrongs`, and its badness."""
    def cost(log_value: float) -> float:
        return _badness(problem, {**recipe, name: 10.0 ** log_value}, wrongs)

    lo, hi = math.log10(low), math.log10(high)
    grid = [lo + (hi - lo) * i / (_GRID - 1) for i in range(_GRID)]
    costs = [cost(x) for x in grid]
    best = min(range(_GRID), key=costs.__getitem__)
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, _GRID - 1)]
    c, d = b - _INVPHI * (b - a), a + _INVPHI * (b - a)
    fc, fd = cost(c), cost(d)
    for _ in range(_REFINE):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - _INVPHI * (b - a)
            fc = cost(c)
        else:
            a, c, fc = c, d, fd
            d = a + _INVPHI * (b - a)
            fd = cost(d)
    x, fx = (c, fc) if fc < fd else (d, fd)
    if costs[best] < fx:
        x, fx = grid[best], costs[best]
    return 10.0 ** x, fx


def _candidates(mistakes: tuple[Mistake, ...]) -> Iterator[dict[str, Any]]:
    """Each combination of the mistakes' choices, merged into one recipe (a fitted range at its typical value)."""
    for recipes in itertools.product(*(m.recipes() for m in mistakes)):
        merged: dict[str, Any] = {}
        for recipe in recipes:
            merged.update(recipe)
        yield merged


def _explain(problem: Problem, mistakes: tuple[Mistake, ...], wrongs: list[WrongOutput],
             screen: list[WrongOutput] | None = None) -> Explanation | None:
    """The fitted values with which `mistakes` reproduce every wrong output, if there are any.

    `screen`: a few wrong outputs that a candidate must come close to before it is tried on all.
    """
    ranges = [(name, spec) for m in mistakes for name, spec in m.fit.items() if not spec.choices]
    if len(ranges) > 1:  # one fitted number per explanation: more would fit noise
        return None
    for recipe in _candidates(mistakes):
        if ranges:
            name, spec = ranges[0]
            if screen is not None and _fit_range(problem, recipe, name, spec.low, spec.high, screen)[1] > _SCREEN:
                continue
            recipe = {**recipe, name: _fit_range(problem, recipe, name, spec.low, spec.high, wrongs)[0]}
        elif screen is not None and not _matches(problem, recipe, screen[0]):
            continue
        if all(_matches(problem, recipe, wrong) for wrong in wrongs):
            return Explanation(mistakes, {k: recipe[k] for m in mistakes for k in m.fit})
    return None


def _compatible(a: Mistake, b: Mistake) -> bool:
    """Two mistakes can be combined when they set different recipe fields."""
    fields_a, fields_b = set(a.recipe) | set(a.fit), set(b.recipe) | set(b.fit)
    return not fields_a & fields_b


def likely_mistake(problem: Problem, wrongs: list[WrongOutput], detected: set[str] | None = None) -> Explanation | None:
    """The first explanation of every wrong output (every finite one, if there are any): a detector's
    finding (`judge.behaviour`), one mistake in manifest order, else a pair of them."""
    if not wrongs:
        return None
    # NaN comes as much from how a mistake is written (0/0 where the variant writes 0) as from the mistake:
    # outputs with NaN or infinity must be reproduced only when no finite wrong output is there to be
    with np.errstate(all="ignore"):
        finite = [w for w in wrongs if all(np.isfinite(o.astype(np.float64)).all() for o in w.outputs)]
    wrongs = finite or wrongs
    detected = detected or set()
    if "repeat" in detected:  # random outputs: no recipe can reproduce them
        return next((Explanation((m,)) for m in problem.mistakes if m.detect == "repeat"), None)
    recipes = [m for m in problem.mistakes if m.detect is None]
    for mistake in recipes:
        found = _explain(problem, (mistake,), wrongs)
        if found is not None:
            return found
    # the smallest wrong output screens pairs cheaply: most combinations miss it by far
    screen = [min(wrongs, key=lambda w: sum(o.size for o in w.outputs))]
    for a, b in itertools.combinations(recipes, 2):
        if _compatible(a, b):
            found = _explain(problem, (a, b), wrongs, screen=screen)
            if found is not None:
                return found
    return next((Explanation((m,)) for m in problem.mistakes if m.detect in detected), None)
