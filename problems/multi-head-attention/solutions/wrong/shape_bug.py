"""Splits K and V with T_q where T_k belongs: raises on every case with T_q != T_k.

Verdict: Runtime Error
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    n, t, d = query.shape
    dh = d // num_heads
    q = (query @ w_q + b_q).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    k = (key @ w_k + b_k).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    v = (value @ w_v + b_v).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh))
    if mask is not None:
        scores = np.where(mask[:, None], -np.inf, scores)
    heads = softmax(scores) @ v
    return heads.transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o + b_o
