"""Forgets to divide the scores by sqrt(d_head).

Verdict: Wrong Answer
Mistake: no-scale
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def split_heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)  # (N, h, T, d_head)


def merge_heads(x):
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)  # (N, T, d)


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    q = split_heads(query @ w_q + b_q, num_heads)
    k = split_heads(key @ w_k + b_k, num_heads)
    v = split_heads(value @ w_v + b_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2)
    if mask is not None:
        scores = np.where(mask[:, None], -np.inf, scores)
    return merge_heads(softmax(scores) @ v) @ w_o + b_o
