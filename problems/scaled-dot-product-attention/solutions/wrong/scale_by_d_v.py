"""Divides the scores by sqrt(d_v), taking the width from v instead of from q and k.

Verdict: Wrong Answer
Mistake: scale-by-d-v
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    n, h, t_k, d = v.shape
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(np.float32(d))
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    return softmax(scores) @ v
