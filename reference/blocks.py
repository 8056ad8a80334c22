"""The exact NumPy references of the three exercises, computed in float64.

All three blocks are post-LN: each sublayer is wrapped as
`x = layer_norm(x + sublayer(x))`, normalising *after* the residual sum.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.ops import (
    Array,
    causal_block,
    feed_forward,
    key_padding_block,
    layer_norm,
    mha,
)


def _f64(a: ArrayLike) -> Array:
    return np.asarray(a, dtype=np.float64)


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
) -> Array:
    """Post-LN cross-attention block: (N, T_dec, d), (N, T_enc, d) -> (N, T_dec, d).

    x = LN(y + MHA(y, enc)), out = LN(x + GELU(x @ w_mlp1) @ w_mlp2); no mask.
    """
    y, enc = _f64(decoder_x), _f64(encoder_out)
    x = layer_norm(y + mha(y, enc, _f64(w_q), _f64(w_k), _f64(w_v), _f64(w_o), num_heads))
    return layer_norm(x + feed_forward(x, _f64(w_mlp1), _f64(w_mlp2)))


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
) -> Array:
    """Post-LN encoder layer: (N, T, d) -> (N, T, d).

    h = LN(x + MHA(x, x)) with padded keys hidden, out = LN(h + GELU(h @ w_mlp1) @ w_mlp2).
    """
    x64 = _f64(x)
    blocked = key_padding_block(padding_mask)  # (N, 1, 1, T) or None
    h = layer_norm(x64 + mha(x64, x64, _f64(w_q), _f64(w_k), _f64(w_v), _f64(w_o), num_heads, blocked))
    return layer_norm(h + feed_forward(h, _f64(w_mlp1), _f64(w_mlp2)))


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
) -> Array:
    """Post-LN decoder layer: (N, T_dec, d), (N, T_enc, d) -> (N, T_dec, d).

    h1 = LN(y + causal self-MHA(y, y)), h2 = LN(h1 + MHA(h1, enc)) with padded
    encoder keys hidden, out = LN(h2 + GELU(h2 @ w_mlp1) @ w_mlp2).
    """
    y, enc = _f64(decoder_x), _f64(encoder_out)
    causal = causal_block(y.shape[1])  # (T_dec, T_dec)
    self_w = (_f64(self_w_q), _f64(self_w_k), _f64(self_w_v), _f64(self_w_o))
    cross_w = (_f64(cross_w_q), _f64(cross_w_k), _f64(cross_w_v), _f64(cross_w_o))
    h1 = layer_norm(y + mha(y, y, *self_w, num_heads, causal))
    padded = key_padding_block(encoder_padding_mask)  # (N, 1, 1, T_enc) or None
    h2 = layer_norm(h1 + mha(h1, enc, *cross_w, num_heads, padded))
    return layer_norm(h2 + feed_forward(h2, _f64(w_mlp1), _f64(w_mlp2)))
