"""Ignores num_heads and runs one attention over the full width d (scaled by sqrt(d)) instead of splitting into heads.

Verdict: Wrong Answer
Mistake: single-head
"""

import numpy as np


def softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    Q = query @ w_q + b_q  # (N, T_q, d)
    K = key @ w_k + b_k  # (N, T_k, d)
    V = value @ w_v + b_v
    d = Q.shape[-1]
    # the heads are just a view of the same features, so attend over all of them at once
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(d).astype(np.float32)
    if mask is not None:
        scores = np.where(mask, np.float32(-1e9), scores)
    out = softmax(scores) @ V
    return out @ w_o + b_o
