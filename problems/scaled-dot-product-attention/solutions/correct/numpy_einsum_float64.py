"""NumPy in float64 with einsum; the mask adds -inf to the blocked scores, and the result is cast back to float32.

Verdict: Accepted
"""

import math

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    scores = np.einsum("nhqd,nhkd->nhqk", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + np.where(mask, -np.inf, 0.0)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("nhqk,nhkd->nhqd", weights, v).astype(np.float32)
