"""Known-wrong variants of the three blocks, for naming a student's likely mistake.

A `Recipe` spells out every choice a student can get wrong; `Recipe()` is the
correct one, and a test holds it equal to `reference.blocks`. Problem manifests
list mistakes as recipe fields (data), so an author adds a diagnosis without code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args, get_origin, get_type_hints

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
    final_layer_norm: bool = True  # with pre_ln: the stack's last LayerNorm, written inside the layer
    layer_norm_form: Literal["biased", "unbiased", "std-eps", "unbiased-std-eps"] = "biased"
    padding_inverted: bool = False  # True read as "keep", filled with -1e9 (masked_fill style)
    output_projection: bool = True  # the merged heads times w_o
    fused_split: bool = False  # projections sharing an input fused, then split head-major (h, 3, dh)
    kv_from_decoder: bool = False  # cross-attention's K and V from the decoder stream, not the encoder
    single_head: bool = False  # num_heads ignored: one head over the full width
    sublayer_order: Literal["as-given", "reversed", "cross-first"] = "as-given"
    shared_weight: Literal["", "k=q", "v=k", "v=q", "q=k", "k=v", "q=v"] = ""  # e.g. "k=q": keys use w_q
    attention_scope: Literal["all", "self", "cross"] = "all"  # the decoder's attention mistakes in one sublayer only

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {list(allowed)}, not {getattr(self, name)!r}")

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Recipe:
        """Build a recipe from manifest data, naming any unknown field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        return cls(**values)


_CHOICES = {name: get_args(kind) for name, kind in get_type_hints(Recipe).items() if get_origin(kind) is Literal}


def _norm(x: Array, recipe: Recipe) -> Array:
    """LayerNorm as the recipe writes it: the variance biased or not, eps inside the root or added to the std."""
    if recipe.layer_norm_form == "biased":
        return layer_norm(x, recipe.layer_norm_eps)
    centred = x - x.mean(axis=-1, keepdims=True)
    ddof = 1 if recipe.layer_norm_form.startswith("unbiased") else 0
    var = (centred**2).sum(axis=-1, keepdims=True) / (x.shape[-1] - ddof)
    if recipe.layer_norm_form.endswith("std-eps"):
        return centred / (np.sqrt(var) + recipe.layer_norm_eps)
    return centred / np.sqrt(var + recipe.layer_norm_eps)


def _in_order(sublayers: list[Any], recipe: Recipe) -> list[Any]:
    """The sublayers in the order the recipe applies them (as given: self, cross, feed-forward)."""
    if recipe.sublayer_order == "reversed":
        return sublayers[::-1]
    if recipe.sublayer_order == "cross-first" and len(sublayers) == 3:
        return [sublayers[1], sublayers[0], sublayers[2]]
    return sublayers


_ATTENTION_FIELDS = ("scale_scores", "scale_by_d_model", "softmax_over_queries", "stable_softmax", "heads_transposed",
                     "output_projection", "fused_split", "single_head", "shared_weight")


def _scoped(recipe: Recipe, sublayer: str) -> Recipe:
    """The recipe for one of the decoder's attention sublayers: its attention mistakes apply only in scope."""
    if recipe.attention_scope in ("all", sublayer):
        return recipe
    right = Recipe()
    return replace(recipe, **{name: getattr(right, name) for name in _ATTENTION_FIELDS})


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


def _projections(xq: Array, xkv: Array, w: tuple[Array, Array, Array], num_heads: int,
                 recipe: Recipe) -> tuple[Array, Array, Array]:
    """Q, K and V, each (N, h, T, dh): from separate weights, or fused and split the wrong way."""
    named = dict(zip("qkv", w, strict=True))
    if recipe.shared_weight:
        target, source = recipe.shared_weight.split("=")
        named[target] = named[source]
    p = xq @ named["q"], xkv @ named["k"], xkv @ named["v"]  # (N, T, d), (N, S, d), (N, S, d)
    if not recipe.fused_split:
        q, k, v = (_split(x, num_heads, recipe) for x in p)
        return q, k, v
    fused = p if xq is xkv else p[1:]  # self-attention fuses Q, K and V; cross-attention K and V
    n, t, d = fused[0].shape
    parts = np.concatenate(fused, axis=-1).reshape(n, t, num_heads, len(fused), d // num_heads)  # head-major
    split = [parts[:, :, :, i].transpose(0, 2, 1, 3) for i in range(len(fused))]  # (N, h, T, dh) each
    if xq is xkv:
        return split[0], split[1], split[2]
    return _split(p[0], num_heads, recipe), split[0], split[1]


def _mha(
    xq: Array,
    xkv: Array,
    w: tuple[Array, Array, Array, Array],
    num_heads: int,
    blocked: NDArray[np.bool_] | None,
    recipe: Recipe,
) -> Array:
    num_heads = 1 if recipe.single_head else num_heads
    q, k, v = _projections(xq, xkv, w[:3], num_heads, recipe)  # (N, h, T, dh), (N, h, S, dh) twice
    scores = q @ np.swapaxes(k, -1, -2)  # (N, h, T, S)
    if recipe.scale_by_d_model:
        scores = scores / math.sqrt(xq.shape[-1])
    elif recipe.scale_scores:
        scores = scores / math.sqrt(q.shape[-1])
    if blocked is not None:
        # masked_fill(-1e9) is what an inverted mask is usually written with: a row all hidden becomes uniform
        scores = np.where(blocked, -1e9 if recipe.padding_inverted else -np.inf, scores)
    if not recipe.stable_softmax:
        e = np.exp(scores)
        weights = e / e.sum(axis=-1, keepdims=True)
    elif recipe.softmax_over_queries:
        # a fully blocked query column would give 0/0; treat it as no attention
        weights = np.nan_to_num(softmax(scores, axis=-2))
    else:
        weights = softmax(scores, axis=-1)
    merged = _merge(weights @ v, recipe)  # (N, T, d)
    return merged @ w[3] if recipe.output_projection else merged


def _padding(padding_mask: NDArray[np.bool_] | None, recipe: Recipe) -> NDArray[np.bool_] | None:
    """The key-padding block as the recipe reads the mask."""
    if not recipe.use_padding or padding_mask is None:
        return None
    mask = np.asarray(padding_mask, dtype=bool)
    return key_padding_block(~mask if recipe.padding_inverted else mask)


def _sublayer(x: Array, compute: Any, recipe: Recipe) -> Array:
    """Post-LN LN(x + f(x)) or, for the pre-LN mistake, x + f(LN(x))."""
    norm = lambda a: _norm(a, recipe)  # noqa: E731 - a one-line local
    if recipe.pre_ln:
        return x + compute(norm(x))
    return norm(x + compute(x)) if recipe.residual else norm(compute(x))


def _ffn(w_mlp1: Array, w_mlp2: Array, recipe: Recipe) -> Any:
    act = _ACTIVATIONS[recipe.activation]
    return lambda x: act(x @ w_mlp1) @ w_mlp2


def _final(x: Array, recipe: Recipe) -> Array:
    # a pre-LN stack normalises once more at the very end
    return _norm(x, recipe) if recipe.pre_ln and recipe.final_layer_norm else x


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
    if recipe.kv_from_decoder:
        blocked = causal_block(t_dec) if recipe.causal_cross else None
    attend = lambda z: _mha(z, z if recipe.kv_from_decoder else enc, w, num_heads, blocked, recipe)  # noqa: E731
    x = y
    for compute in _in_order([attend, _ffn(cast(w_mlp1), cast(w_mlp2), recipe)], recipe):
        x = _sublayer(x, compute, recipe)
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
    blocked = _padding(padding_mask, recipe)
    if recipe.causal_cross:  # for the encoder: a causal mask where attention is bidirectional
        blocked = combine_blocks(blocked, causal_block(xs.shape[1]))
    h = xs
    for compute in _in_order([lambda z: _mha(z, z, w, num_heads, blocked, recipe),
                              _ffn(cast(w_mlp1), cast(w_mlp2), recipe)], recipe):
        h = _sublayer(h, compute, recipe)
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
        _padding(encoder_padding_mask, recipe),
        causal_block(max(t_dec, t_enc))[:t_dec, :t_enc] if recipe.causal_cross else None,
    )
    if recipe.kv_from_decoder:  # attending to the decoder: the encoder's padding no longer fits
        cross_blocked = causal_block(t_dec) if recipe.causal_cross else None

    def cross(z: Array) -> Array:
        return _mha(z, z if recipe.kv_from_decoder else enc, cross_w, num_heads, cross_blocked,
                    _scoped(recipe, "cross"))

    h = y
    for compute in _in_order([lambda z: _mha(z, z, self_w, num_heads, self_blocked, _scoped(recipe, "self")), cross,
                              _ffn(cast(w_mlp1), cast(w_mlp2), recipe)], recipe):
        h = _sublayer(h, compute, recipe)
    return _final(h, recipe)
