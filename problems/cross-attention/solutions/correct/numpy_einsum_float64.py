"""NumPy in float64 with einsum: heads stay an explicit axis, no transposes.

Verdict: Accepted
"""

import math

import numpy as np


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = np.asarray(decoder_x, np.float64)
    enc = np.asarray(encoder_out, np.float64)
    n, t, d = y.shape
    dh = d // num_heads
    q = np.einsum("ntd,de->nte", y, w_q).reshape(n, t, num_heads, dh)
    k = np.einsum("nsd,de->nse", enc, w_k).reshape(n, -1, num_heads, dh)
    v = np.einsum("nsd,de->nse", enc, w_v).reshape(n, -1, num_heads, dh)
    scores = np.einsum("nthe,nshe->nhts", q, k) / math.sqrt(dh)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    attended = np.einsum("nhts,nshe->nthe", weights, v).reshape(n, t, d) @ w_o

    def norm(a):
        centred = a - a.mean(axis=-1, keepdims=True)
        return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)

    x = norm(y + attended)
    hidden = x @ w_mlp1
    hidden = 0.5 * hidden * (1 + np.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return norm(x + hidden @ w_mlp2).astype(np.float32)
