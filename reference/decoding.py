"""Greedy decoding with one post-LN decoder layer, in float64, and its known-wrong variants.

Decoding starts from [bos_id]. Each step embeds the whole prefix
(`embedding[tokens] * sqrt(d) + PE`, the sinusoidal table of
`reference.positional`), runs `reference.blocks.decoder_layer` on it, reads the
logits at the last position (`h[:, -1] @ w_out`) and appends their argmax (the
lowest index on an exact tie). A row that has produced eos_id keeps producing
it. The result is the max_len generated tokens, without the BOS.

A `DecodeRecipe` spells out every choice of the decoding loop a student can get
wrong, plus the decoder layer's own `Recipe` (`reference.variants`); the default
is the correct one. Used by the greedy-decode problem's reference, mistakes and
input condition (which reads the logits of every step: `decode`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference import blocks, variants
from reference.positional import sinusoidal_encoding
from reference.variants import Recipe


@dataclass(frozen=True)
class DecodeRecipe:
    """Every choice in the decoding loop that a student can get wrong; the defaults are right."""

    scale_embedding: bool = True  # multiply the embedding rows by sqrt(d) before adding the PE
    scale_after_positional: bool = False  # (embedding + PE) * sqrt(d): the PE scaled as well
    positional: bool = True  # add the sinusoidal positional encoding
    position_offset: int = 0  # the PE row of the first (BOS) position; 1 numbers positions from one
    read_last: bool = True  # the logits of the last position (else the first one's)
    hold_eos: bool = True  # a row that has produced eos_id keeps producing it
    include_bos: bool = False  # return BOS and the first max_len - 1 tokens instead of the max_len generated
    layer: Recipe = field(default_factory=Recipe)  # the decoder layer's own choices, and the arithmetic's dtype

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> DecodeRecipe:
        """Build a recipe from manifest data: the loop's fields here, the rest (and `dtype`) the layer's."""
        own = {f.name for f in fields(cls)} - {"layer"}
        loop = {k: v for k, v in values.items() if k in own}
        try:
            layer = Recipe.from_fields({k: v for k, v in values.items() if k not in own})
        except ValueError as exc:
            raise ValueError(f"{exc}; or a decoding field: {sorted(own)}") from None
        return cls(**loop, layer=layer)


@dataclass(frozen=True)
class Decoding:
    """What one greedy decoding produced, step by step."""

    tokens: NDArray[np.int64]  # (N, max_len): the output (BOS first, for the include_bos mistake)
    logits: NDArray[np.floating[Any]]  # (N, max_len, V): the logits each step's argmax read
    live: NDArray[np.bool_]  # (N, max_len): the row had not yet produced eos_id, so the step chose its token


def _layer(recipe: Recipe) -> Any:
    """The exact reference layer for the right recipe, else the variant that recipe builds."""
    return blocks.decoder_layer if recipe == Recipe() else partial(variants.decoder_layer, recipe=recipe)


def _embed(embedding: NDArray[Any], tokens: NDArray[np.int64], pe: NDArray[Any], recipe: DecodeRecipe) -> Any:
    """(N, t) token ids -> (N, t, d) decoder input; pe holds the t rows of this prefix."""
    rows = embedding[tokens]  # (N, t, d)
    scale = math.sqrt(embedding.shape[1])
    if not recipe.positional:
        return rows * scale if recipe.scale_embedding else rows
    if recipe.scale_after_positional:
        return (rows + pe) * scale
    return rows * scale + pe if recipe.scale_embedding else rows + pe


def decode(
    encoder_out: ArrayLike,
    embedding: ArrayLike,
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
    w_out: ArrayLike,
    num_heads: int,
    bos_id: int,
    eos_id: int,
    max_len: int,
    encoder_padding_mask: NDArray[np.bool_] | None = None,
    *,
    recipe: DecodeRecipe = DecodeRecipe(),
) -> Decoding:
    """Greedy decoding as `recipe` builds it, in the recipe's dtype (float64 by default), keeping every step."""
    cast = lambda a: np.asarray(a, dtype=recipe.layer.dtype)  # noqa: E731 - a one-line local
    enc, table, out = cast(encoder_out), cast(embedding), cast(w_out)
    weights = tuple(cast(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o,
                                      cross_w_q, cross_w_k, cross_w_v, cross_w_o, w_mlp1, w_mlp2))
    layer = _layer(recipe.layer)
    n, (vocab, d) = enc.shape[0], table.shape
    offset = recipe.position_offset
    pe = cast(sinusoidal_encoding(max_len + offset, d)[offset:])  # (max_len, d): the longest prefix is max_len
    tokens = np.full((n, 1), bos_id, dtype=np.int64)  # (N, 1): the prefix, BOS first
    finished = np.zeros(n, dtype=bool)
    logits = np.empty((n, max_len, vocab), dtype=out.dtype)
    live = np.empty((n, max_len), dtype=bool)
    for step in range(max_len):
        y = _embed(table, tokens, pe[: step + 1], recipe)  # (N, step + 1, d)
        h = layer(y, enc, *weights, num_heads, encoder_padding_mask)  # (N, step + 1, d)
        logits[:, step] = h[:, -1 if recipe.read_last else 0] @ out  # (N, V)
        chosen = np.argmax(logits[:, step], axis=-1)  # (N,): the first maximum on an exact tie
        live[:, step] = ~finished
        if recipe.hold_eos:
            chosen = np.where(finished, eos_id, chosen)
        finished |= chosen == eos_id
        tokens = np.concatenate([tokens, chosen[:, None]], axis=1)  # (N, step + 2)
    result = tokens[:, :max_len] if recipe.include_bos else tokens[:, 1:]
    return Decoding(np.ascontiguousarray(result, dtype=np.int64), logits, live)


def greedy_decode(*args: Any, recipe: DecodeRecipe = DecodeRecipe(), **inputs: Any) -> NDArray[np.int64]:
    """The (N, max_len) int64 tokens of `decode` (same arguments)."""
    return decode(*args, **inputs, recipe=recipe).tokens
