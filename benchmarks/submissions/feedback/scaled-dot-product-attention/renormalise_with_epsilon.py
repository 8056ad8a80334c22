"""Zeroes the blocked weights after a float32 softmax and renormalises with a 1e-9 guard: where a blocked key dominates, the kept weights underflow and the row comes out all zeros.

Verdict: Wrong Answer
Mistake: mask-after-softmax-renormalised
"""

import numpy as np


def softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    ex = np.exp(x)
    return ex / ex.sum(axis=axis, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = (np.asarray(t, dtype=np.float32) for t in (q, k, v))
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) / np.float32(np.sqrt(k.shape[-1]))
    weights = softmax(scores)
    if mask is not None:
        weights = np.where(mask, np.float32(0.0), weights)
        weights = weights / (weights.sum(axis=-1, keepdims=True) + np.float32(1e-9))
    return np.matmul(weights, v)
