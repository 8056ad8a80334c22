"""Trusted: the known mistakes of scaled dot-product attention, each a recipe (the manifest's `recipe`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from reference.attention_masks import MaskUse, scaled_dot_product

_AFTER = ("", "zero", "renormalise")
_DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class Recipe:
    """Every choice a student can get wrong; the defaults are right."""

    mask_inverted: bool = False  # True read as "may attend" (torch's bool attn_mask convention)
    inverted_fill: Literal["zero", "uniform"] = "zero"  # inverted: a query that sees nothing gets zeros or uniform
    mask_ignored: bool = False  # the mask is not applied at all
    mask_after_softmax: Literal["", "zero", "renormalise"] = ""  # zero the blocked weights after the softmax
    scale_scores: bool = True  # divide the scores by sqrt(d_k)
    scale_by_d_v: bool = False  # divide by sqrt(d_v), the width of v, instead of sqrt(d_k)
    softmax_over_queries: bool = False  # normalise over the query axis instead of the keys
    stable_softmax: bool = True  # subtract the row maximum before exp (else large scores overflow)
    dtype: Literal["float64", "float32"] = "float64"  # the arithmetic used throughout

    def __post_init__(self) -> None:
        if self.mask_after_softmax not in _AFTER:
            raise ValueError(f"mask_after_softmax must be one of {list(_AFTER)}, not {self.mask_after_softmax!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {list(_DTYPES)}, not {self.dtype!r}")
        if self.mask_inverted + self.mask_ignored + bool(self.mask_after_softmax) > 1:
            raise ValueError("mask_inverted, mask_ignored and mask_after_softmax exclude one another")

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Recipe:
        """Build a recipe from manifest data, naming any unknown field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        return cls(**values)

    @property
    def mask_use(self) -> MaskUse:
        if self.mask_inverted:
            return "inverted" if self.inverted_fill == "zero" else "inverted_fill"
        if self.mask_ignored:
            return "ignored"
        if self.mask_after_softmax:
            return "after_zero" if self.mask_after_softmax == "zero" else "after_renormalise"
        return "before"


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> Any:
    """The attention as `params` builds it, in `dtype` when given (else the recipe's own arithmetic)."""
    recipe = Recipe.from_fields({**params, "dtype": dtype} if dtype else params)
    q, k, v = (np.asarray(inputs[name], dtype=recipe.dtype) for name in ("q", "k", "v"))
    mask = inputs.get("mask")
    blocked = None if mask is None else np.asarray(mask, dtype=bool)  # (N, 1, T_q, T_k)
    divisor = math.sqrt(v.shape[-1]) if recipe.scale_by_d_v else None if recipe.scale_scores else 1.0
    return scaled_dot_product(q, k, v, blocked, divisor=divisor, mask=recipe.mask_use,
                              axis=-2 if recipe.softmax_over_queries else -1,
                              max_subtraction=recipe.stable_softmax)


def check_params(params: dict[str, Any]) -> None:
    Recipe.from_fields(params)
