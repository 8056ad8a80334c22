"""A softmax without subtracting the row maximum: exp overflows to inf on large scores and the output holds NaN.

Verdict: Wrong Answer
Mistake: no-max-subtraction
"""

import numpy as np


def softmax(s):
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(q.shape[-1]))
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    return softmax(scores) @ v
