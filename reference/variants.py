"""Known-wrong variants of the three blocks, for naming a student's likely mistake.

A `Recipe` spells out every choice a student can get wrong; `Recipe()` is the
correct one, and a test holds it equal to `reference.blocks`. Problem manifests
list mistakes as recipe fields (data), so an author adds a diagnosis without code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.ops import (
    LAYER_NORM_EPS,
    Array,
    causal_block,
    combine_blocks,
    gelu,
    gelu_erf,
    key_padding_block,
    layer_norm,
    merge_heads,
    relu,
    softmax,
    split_heads,
)

_ACTIVATIONS = {"gelu": gelu, "gelu_erf": gelu_erf, "relu": relu}


@dataclass(frozen=True)
class Recipe:
    """Every choice in a block that a student can get wrong; the defaults are right."""

    activation: Literal["gelu", "gelu_erf", "relu"] = "gelu"
    layer_norm_eps: float = LAYER_NORM_EPS
    scale_scores: bool = True  # divide scores by sqrt(d_head)
    scale_by_d_model: bool = False  # divide by sqrt(d_model) instead of sqrt(d_head)
    softmax_over_queries: bool = False  # normalise over the query axis instead of keys
    stable_softmax: bool = True  # subtract the row maximum before exp (else large scores overflow)
    heads_transposed: bool = True  # move heads before time after splitting
    pre_ln: bool = False  # x + sublayer(LN(x)) instead of LN(x + sublayer(x))
    causal_cross: bool = False  # a causal mask on cross-attention
    causal_self: bool = True  # the decoder's self-attention is causal
    use_padding: bool = True  # hide padded keys
    residual: bool = True  # add the sublayer's input back before normalising
    dtype: Literal["float64", "float32", "float16"] = "float64"  # the arithmetic used throughout

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Recipe:
        """Build a recipe from manifest data, naming any unknown field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        return cls(**values)


def _caster(recipe: Recipe) -> Any:
    return lambda a: np.asarray(a, dtype=recipe.dtype)


def _split(x: Array, num_heads: int, recipe: Recipe) -> Array:
    if recipe.heads_transposed:
        return split_heads(x, num_heads)
    n, t, d = x.shape
    return x.reshape(n, num_heads, t, d // num_heads)  # (N, h, T, dh) in the wrong memory order


def _merge(x: Array, recipe: Recipe) -> Array:
    if recipe.heads_transposed:
        return merge_heads(x)
    n, h, t, dh = x.shape
    return x.reshape(n, t, h * dh)  # (N, T, d), undoing the wrong split


def _mha(
    xq: Array,
    xkv: Array,
    w: tuple[Array, Array, Array, Array],
    num_heads: int,
    blocked: NDArray[np.bool_] | None,
    recipe: Recipe,
) -> Array:
    w_q, w_k, w_v, w_o = w
    q = _split(xq @ w_q, num_heads, recipe)  # (N, h, T, dh)
    k = _split(xkv @ w_k, num_heads, recipe)  # (N, h, S, dh)
    v = _split(xkv @ w_v, num_heads, recipe)  # (N, h, S, dh)
    scores = q @ np.swapaxes(k, -1, -2)  # (N, h, T, S)
    if recipe.scale_by_d_model:
        scores = scores / math.sqrt(xq.shape[-1])
    elif recipe.scale_scores:
        scores = scores / math.sqrt(q.shape[-1])
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    if not recipe.stable_softmax:
        e = np.exp(scores)
        weights = e / e.sum(axis=-1, keepdims=True)
    elif recipe.softmax_over_queries:
        # a fully blocked query column would give 0/0; treat it as no attention
        weights = np.nan_to_num(softmax(scores, axis=-2))
    else:
        weights = softmax(scores, axis=-1)
    return _merge(weights @ v, recipe) @ w_o  # (N, T, d)


def _sublayer(x: Array, compute: Any, recipe: Recipe) -> Array:
    """Post-LN LN(x + f(x)) or, for the pre-LN mistake, x + f(LN(x))."""
    norm = lambda a: layer_norm(a, recipe.layer_norm_eps)  # noqa: E731 - a one-line local
    if recipe.pre_ln:
        return x + compute(norm(x))
    return norm(x + compute(x)) if recipe.residual else norm(compute(x))


def _ffn(w_mlp1: Array, w_mlp2: Array, recipe: Recipe) -> Any:
    act = _ACTIVATIONS[recipe.activation]
    return lambda x: act(x @ w_mlp1) @ w_mlp2


def _final(x: Array, recipe: Recipe) -> Array:
    # a pre-LN stack normalises once more at the very end
    return layer_norm(x, recipe.layer_norm_eps) if recipe.pre_ln else x


def cross_attention_block(
    decoder_x: ArrayLike,
    encoder_out: ArrayLike,
    w_q: ArrayLike,
    w_k: ArrayLike,
    w_v: ArrayLike,
    w_o: ArrayLike,
    w_mlp1: ArrayLike,
    w_mlp2: ArrayLike,
    num_heads: int,
    *,
    recipe: Recipe = Recipe(),
) -> Array:
    """The cross-attention block as `recipe` builds it."""
    cast = _caster(recipe)
    y, enc = cast(decoder_x), cast(encoder_out)
    w = (cast(w_q), cast(w_k), cast(w_v), cast(w_o))
    t_dec, t_enc = y.shape[1], enc.shape[1]
    blocked = causal_block(max(t_dec, t_enc))[:t_dec, :t_enc] if recipe.causal_cross else None
    x = _sublayer(y, lambda z: _mha(z, enc, w, num_heads, blocked, recipe), recipe)
    x = _sublayer(x, _ffn(cast(w_mlp1), cast(w_mlp2), recipe), recipe)
    return _final(x, recipe)


def encoder_layer(
    x: ArrayLike,
    w_q: ArrayLike,
    w_k: ArrayLike,
    w_v: ArrayLike,
    w_o: ArrayLike,
    w_mlp1: ArrayLike,
    w_mlp2: ArrayLike,
    num_heads: int,
    padding_mask: NDArray[np.bool_] | None = None,
    *,
    recipe: Recipe = Recipe(),
) -> Array:
    """The encoder layer as `recipe` builds it."""
    cast = _caster(recipe)
    xs = cast(x)
    w = (cast(w_q), cast(w_k), cast(w_v), cast(w_o))
    blocked = key_padding_block(padding_mask) if recipe.use_padding else None
    if recipe.causal_cross:  # for the encoder: a causal mask where attention is bidirectional
        blocked = combine_blocks(blocked, causal_block(xs.shape[1]))
    h = _sublayer(xs, lambda z: _mha(z, z, w, num_heads, blocked, recipe), recipe)
    h = _sublayer(h, _ffn(cast(w_mlp1), cast(w_mlp2), recipe), recipe)
    return _final(h, recipe)


def decoder_layer(
    decoder_x: ArrayLike,
    encoder_out: ArrayLike,
    self_w_q: ArrayLike,
    self_w_k: ArrayLike,
    self_w_v: ArrayLike,
    self_w_o: ArrayLike,
    cross_w_q: ArrayLike,
    cross_w_k: ArrayLike,
    cross_w_v: ArrayLike,
    cross_w_o: ArrayLike,
    w_mlp1: ArrayLike,
    w_mlp2: ArrayLike,
    num_heads: int,
    encoder_padding_mask: NDArray[np.bool_] | None = None,
    *,
    recipe: Recipe = Recipe(),
) -> Array:
    """The decoder layer as `recipe` builds it."""
    cast = _caster(recipe)
    y, enc = cast(decoder_x), cast(encoder_out)
    self_w = (cast(self_w_q), cast(self_w_k), cast(self_w_v), cast(self_w_o))
    cross_w = (cast(cross_w_q), cast(cross_w_k), cast(cross_w_v), cast(cross_w_o))
    t_dec, t_enc = y.shape[1], enc.shape[1]
    self_blocked = causal_block(t_dec) if recipe.causal_self else None
    cross_blocked = combine_blocks(
        key_padding_block(encoder_padding_mask) if recipe.use_padding else None,
        causal_block(max(t_dec, t_enc))[:t_dec, :t_enc] if recipe.causal_cross else None,
    )
    h = _sublayer(y, lambda z: _mha(z, z, self_w, num_heads, self_blocked, recipe), recipe)
    h = _sublayer(h, lambda z: _mha(z, enc, cross_w, num_heads, cross_blocked, recipe), recipe)
    h = _sublayer(h, _ffn(cast(w_mlp1), cast(w_mlp2), recipe), recipe)
    return _final(h, recipe)
