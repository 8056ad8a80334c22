"""Splits the heads with a bare reshape to (N, h, T, d_head) instead of reshaping to (N, T, h, d_head) and moving
the heads before time; merges them back with a bare reshape too.

Verdict: Wrong Answer
Mistake: heads-without-transpose
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    n, t_q, d = query.shape
    t_k = key.shape[1]
    dh = d // num_heads
    q = (query @ w_q + b_q).reshape(n, num_heads, t_q, dh)
    k = (key @ w_k + b_k).reshape(n, num_heads, t_k, dh)
    v = (value @ w_v + b_v).reshape(n, num_heads, t_k, dh)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh))
    if mask is not None:
        scores = np.where(mask[:, None], -np.inf, scores)
    heads = softmax(scores) @ v  # (N, h, T_q, d_head)
    return heads.reshape(n, t_q, d) @ w_o + b_o
