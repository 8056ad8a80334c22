"""NumPy in float64 with einsum; padding applied as a large negative bias before the softmax.

Verdict: Accepted
"""

import math

import numpy as np


def _norm(a):
    centred = a - a.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = np.asarray(x, np.float64)
    n, t, d = x.shape
    dh = d // num_heads
    q, k, v = (np.einsum("ntd,de->nte", x, w).reshape(n, t, num_heads, dh) for w in (w_q, w_k, w_v))
    scores = np.einsum("nqhe,nkhe->nhqk", q, k) / math.sqrt(dh)
    if padding_mask is not None:
        scores = scores - 1e300 * padding_mask[:, None, None, :]
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    h = _norm(x + np.einsum("nhqk,nkhe->nqhe", weights, v).reshape(n, t, d) @ w_o)
    hidden = h @ w_mlp1
    hidden = 0.5 * hidden * (1 + np.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return _norm(h + hidden @ w_mlp2)
