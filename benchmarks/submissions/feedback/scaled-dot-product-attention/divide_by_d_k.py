"""Divides the scores by d_k instead of by sqrt(d_k).

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def softmax(z):
    z = z - np.max(z, axis=-1, keepdims=True)
    ez = np.exp(z)
    return ez / np.sum(ez, axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = np.matmul(q, k.transpose(0, 1, 3, 2)) / d_k
    if mask is not None:
        scores[np.broadcast_to(mask, scores.shape)] = -np.inf
    return np.matmul(softmax(scores), v)
