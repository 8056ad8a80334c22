"""Computes attention with a single head over the whole width (scores divided by sqrt(d)), ignoring num_heads.

Verdict: Wrong Answer
Mistake: single-head
"""

import numpy as np


def attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ v


def norm(x, eps=1e-5):
    m = x.mean(axis=-1, keepdims=True)
    s2 = np.mean((x - m) ** 2, axis=-1, keepdims=True)
    return (x - m) / np.sqrt(s2 + eps)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = x.astype(np.float32)
    mask = None if padding_mask is None else padding_mask[:, None, :]  # (N, 1, T)
    a = attention(x @ w_q, x @ w_k, x @ w_v, mask) @ w_o
    h = norm(x + a)
    f = h @ w_mlp1
    f = 0.5 * f * (1 + np.tanh(0.7978845608 * (f + 0.044715 * f ** 3)))
    return norm(h + f @ w_mlp2)
