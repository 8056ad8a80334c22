"""The building blocks of the references: one small NumPy function per operation.

Everything here computes in float64. Shapes use N (batch), T/S (query/key time),
d (model width), h (heads) and dh (d // h).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

LAYER_NORM_EPS = 1e-5


def gelu(x: Array) -> Array:
    """GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def gelu_erf(x: Array) -> Array:
    """The exact GELU, x * Phi(x); not what the problems ask for (a known mistake)."""
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def relu(x: Array) -> Array:
    """ReLU; not what the problems ask for (a known mistake)."""
    return np.maximum(x, 0.0)


def layer_norm(x: Array, eps: float = LAYER_NORM_EPS) -> Array:
    """LayerNorm over the last axis, biased variance, no learned gain or bias."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def softmax(x: Array, axis: int = -1) -> Array:
    """Softmax with the row maximum subtracted first, so large scores cannot overflow."""
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def split_heads(x: Array, num_heads: int) -> Array:
    """(N, T, d) -> (N, h, T, dh)."""
    n, t, d = x.shape
    x = x.reshape(n, t, num_heads, d // num_heads)  # (N, T, h, dh)
    return x.transpose(0, 2, 1, 3)  # (N, h, T, dh)


def merge_heads(x: Array) -> Array:
    """(N, h, T, dh) -> (N, T, d)."""
    n, h, t, dh = x.shape
    x = x.transpose(0, 2, 1, 3)  # (N, T, h, dh)
    return x.reshape(n, t, h * dh)  # (N, T, d)


def attention(q: Array, k: Array, v: Array, blocked: NDArray[np.bool_] | None) -> Array:
    """Scaled dot-product attention over the last two axes.

    q (..., T, dh), k and v (..., S, dh); `blocked` broadcasts to (..., T, S) and
    is True where a query may not see a key.
    """
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])  # (..., T, S)
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    return softmax(scores, axis=-1) @ v  # (..., T, dh)


def causal_block(t: int) -> NDArray[np.bool_]:
    """(T, T) mask, True above the diagonal: position i sees keys 0..i only."""
    return np.triu(np.ones((t, t), dtype=bool), k=1)


def key_padding_block(padding_mask: NDArray[np.bool_] | None) -> NDArray[np.bool_] | None:
    """(N, S) key padding (True = padded) -> (N, 1, 1, S), broadcasting over heads and queries."""
    if padding_mask is None:
        return None
    return np.asarray(padding_mask, dtype=bool)[:, None, None, :]


def combine_blocks(*blocks: NDArray[np.bool_] | None) -> NDArray[np.bool_] | None:
    """The union of several broadcastable masks; None when there are none."""
    present = [b for b in blocks if b is not None]
    if not present:
        return None
    combined = present[0]
    for block in present[1:]:
        combined = combined | block
    return combined


def mha(
    xq: Array,
    xkv: Array,
    w_q: Array,
    w_k: Array,
    w_v: Array,
    w_o: Array,
    num_heads: int,
    blocked: NDArray[np.bool_] | None = None,
) -> Array:
    """Multi-head attention without biases: xq (N, T, d), xkv (N, S, d) -> (N, T, d)."""
    q = split_heads(xq @ w_q, num_heads)  # (N, h, T, dh)
    k = split_heads(xkv @ w_k, num_heads)  # (N, h, S, dh)
    v = split_heads(xkv @ w_v, num_heads)  # (N, h, S, dh)
    return merge_heads(attention(q, k, v, blocked)) @ w_o  # (N, T, d)


def feed_forward(x: Array, w_mlp1: Array, w_mlp2: Array) -> Array:
    """GELU(x @ w_mlp1) @ w_mlp2: (N, T, d) -> (N, T, d) through (N, T, d_ff)."""
    return gelu(x @ w_mlp1) @ w_mlp2
