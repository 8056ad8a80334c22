"""Trusted: the known mistakes of the positional table, spelt out as a recipe (the manifest's `recipe`).

`Recipe()` is the correct table. In float64 (the default) a recipe follows the
reference's formula, pos / base^(e/d); in float32 it follows the course's recipe,
pos * exp(-e * ln(base) / d) with every step in float32, which is what a student's
float32 code with the same mistake computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Recipe:
    """Every choice in the table that a student can get wrong; the defaults are right."""

    swap_sin_cos: bool = False  # cosines in the even columns, sines in the odd ones
    layout: Literal["interleaved", "halves"] = "interleaved"  # "halves": d/2 sines, then d/2 cosines
    exponent: Literal["2i", "i", "column"] = "2i"  # the frequency exponent's numerator (over d)
    first_position: int = 0  # the position of row 0
    base: float = 10000.0
    inverse_frequency: bool = True  # pos / base^(e/d); False: pos * base^(e/d)
    dtype: Literal["float64", "float32"] = "float64"

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Recipe:
        """Build a recipe from manifest data, naming any unknown field or value."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        recipe = cls(**values)
        if recipe.layout not in ("interleaved", "halves"):
            raise ValueError(f"layout must be 'interleaved' or 'halves', not {recipe.layout!r}")
        if recipe.exponent not in ("2i", "i", "column"):
            raise ValueError(f"exponent must be '2i', 'i' or 'column', not {recipe.exponent!r}")
        if recipe.dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be 'float64' or 'float32', not {recipe.dtype!r}")
        return recipe


def _exponents(d_model: int, exponent: str, odd: bool) -> NDArray[np.float64]:
    """The numerator e of the angles' exponent e/d, (d/2,): for the first (sine) or second (cosine) columns."""
    half = np.arange(d_model // 2, dtype=np.float64)  # i = 0 .. d/2 - 1
    if exponent == "2i":
        return 2 * half
    if exponent == "i":
        return half
    return 2 * half + (1 if odd else 0)  # "column": column j = 2i or 2i + 1 uses its own index j


def _angles(max_len: int, d_model: int, recipe: Recipe, odd: bool) -> NDArray[Any]:
    """(L, d/2) angles of the sine columns (odd=False) or the cosine columns (odd=True)."""
    e = _exponents(d_model, recipe.exponent, odd)
    if recipe.dtype == "float32":  # the course's recipe, every step in float32
        position = np.arange(recipe.first_position, recipe.first_position + max_len, dtype=np.float32)[:, None]
        sign = -1.0 if recipe.inverse_frequency else 1.0
        div_term = np.exp(e.astype(np.float32) * np.float32(sign * math.log(recipe.base) / d_model))  # (d/2,)
        return position * div_term[None, :]
    position = np.arange(recipe.first_position, recipe.first_position + max_len, dtype=np.float64)[:, None]
    power = recipe.base ** (e[None, :] / d_model)  # (1, d/2)
    return position / power if recipe.inverse_frequency else position * power


def table(max_len: int, d_model: int, recipe: Recipe) -> NDArray[Any]:
    """The (max_len, d_model) table that `recipe` builds."""
    first, second = (np.cos, np.sin) if recipe.swap_sin_cos else (np.sin, np.cos)
    even = first(_angles(max_len, d_model, recipe, odd=False))  # (L, d/2): sines, when right
    odd = second(_angles(max_len, d_model, recipe, odd=True))  # (L, d/2): cosines, when right
    out = np.empty((max_len, d_model), dtype=recipe.dtype)
    if recipe.layout == "halves":
        out[:, : d_model // 2], out[:, d_model // 2:] = even, odd
    else:
        out[:, 0::2], out[:, 1::2] = even, odd
    return out


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> NDArray[Any]:
    """The table as `params` builds it, in `dtype` when given (else float64)."""
    recipe = Recipe.from_fields({**params, "dtype": dtype} if dtype else params)
    return table(inputs["max_len"], inputs["d_model"], recipe)


def check_params(params: dict[str, Any]) -> None:
    Recipe.from_fields(params)
