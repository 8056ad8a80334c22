"""Trusted: the known mistakes of multi-head attention, each a recipe (the manifest's `recipe`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from reference.attention_masks import MaskUse, scaled_dot_product

_DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class Recipe:
    """Every choice a student can get wrong; the defaults are right."""

    biases: bool = True  # add b_q, b_k, b_v and b_o
    output_projection: bool = True  # merged heads @ w_o + b_o (else the merged heads are returned)
    heads_transposed: bool = True  # (N, T, d) -> (N, T, h, d_head) -> (N, h, T, d_head), not a bare reshape
    scale_scores: bool = True  # divide the scores by sqrt(d_head)
    scale_by_d_model: bool = False  # divide by sqrt(d_model) instead of sqrt(d_head)
    mask_inverted: bool = False  # True read as "may attend" (torch's bool attn_mask convention)
    inverted_fill: Literal["zero", "uniform"] = "zero"  # inverted: a query that sees nothing gets zeros or uniform
    mask_ignored: bool = False  # the mask is not applied at all
    value_from_key: bool = False  # V = key @ w_v + b_v: `value` never used
    softmax_over_queries: bool = False  # normalise over the query axis instead of the keys
    stable_softmax: bool = True  # subtract the row maximum before exp (else large scores overflow)
    single_head: bool = False  # num_heads ignored: one head over the full width
    shared_weight: Literal["", "k=q", "v=k", "v=q", "q=k", "k=v", "q=v"] = ""  # e.g. "k=q": keys use w_q and b_q
    dtype: Literal["float64", "float32"] = "float64"  # the arithmetic used throughout

    def __post_init__(self) -> None:
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {list(_DTYPES)}, not {self.dtype!r}")
        if self.mask_inverted and self.mask_ignored:
            raise ValueError("mask_inverted and mask_ignored exclude one another")

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Recipe:
        """Build a recipe from manifest data, naming any unknown field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        return cls(**values)


def _split(x: Any, num_heads: int, recipe: Recipe) -> Any:
    n, t, d = x.shape
    if recipe.heads_transposed:
        return x.reshape(n, t, num_heads, d // num_heads).transpose(0, 2, 1, 3)  # (N, h, T, d_head)
    return x.reshape(n, num_heads, t, d // num_heads)  # (N, h, T, d_head) in the wrong memory order


def _merge(x: Any, recipe: Recipe) -> Any:
    n, h, t, dh = x.shape
    if recipe.heads_transposed:
        return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)  # (N, T, d)
    return x.reshape(n, t, h * dh)  # (N, T, d), undoing the wrong split


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> Any:
    """The attention as `params` builds it, in `dtype` when given (else the recipe's own arithmetic)."""
    recipe = Recipe.from_fields({**params, "dtype": dtype} if dtype else params)

    def c(name: str) -> Any:
        return np.asarray(inputs[name], dtype=recipe.dtype)

    def project(x: Any, w: str, b: str) -> Any:
        return x @ c(w) + c(b) if recipe.biases else x @ c(w)

    weights = {"q": ("w_q", "b_q"), "k": ("w_k", "b_k"), "v": ("w_v", "b_v")}
    if recipe.shared_weight:
        target, source = recipe.shared_weight.split("=")
        weights[target] = weights[source]
    h = 1 if recipe.single_head else inputs["num_heads"]
    query, key = c("query"), c("key")
    value = key if recipe.value_from_key else c("value")
    q = _split(project(query, *weights["q"]), h, recipe)  # (N, h, T_q, d_head)
    k = _split(project(key, *weights["k"]), h, recipe)  # (N, h, T_k, d_head)
    v = _split(project(value, *weights["v"]), h, recipe)  # (N, h, T_k, d_head)
    mask = inputs.get("mask")
    blocked = None if mask is None else np.asarray(mask, dtype=bool)[:, None]  # (N, 1, T_q, T_k)
    divisor = math.sqrt(query.shape[-1]) if recipe.scale_by_d_model else None if recipe.scale_scores else 1.0
    inverted: MaskUse = "inverted" if recipe.inverted_fill == "zero" else "inverted_fill"
    use: MaskUse = inverted if recipe.mask_inverted else "ignored" if recipe.mask_ignored else "before"
    heads = scaled_dot_product(q, k, v, blocked, divisor=divisor, mask=use,
                               axis=-2 if recipe.softmax_over_queries else -1,
                               max_subtraction=recipe.stable_softmax)  # (N, h, T_q, d_head)
    merged = _merge(heads, recipe)  # (N, T_q, d)
    return project(merged, "w_o", "b_o") if recipe.output_projection else merged


def check_params(params: dict[str, Any]) -> None:
    Recipe.from_fields(params)
