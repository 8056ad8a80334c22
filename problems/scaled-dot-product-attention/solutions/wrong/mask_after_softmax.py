"""Takes the softmax over every key, then zeroes the blocked weights: the kept weights no longer sum to 1.

Verdict: Wrong Answer
Mistake: mask-after-softmax
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(q.shape[-1]))
    weights = softmax(scores)
    if mask is not None:
        weights = weights * ~mask  # drop the blocked keys
    return weights @ v
