"""Tests the mask with `if mask:`, which raises "the truth value of an array ... is ambiguous" on every masked case.

Verdict: Runtime Error
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(q.shape[-1]))
    if mask:
        scores = np.where(mask, -np.inf, scores)
    return softmax(scores) @ v
