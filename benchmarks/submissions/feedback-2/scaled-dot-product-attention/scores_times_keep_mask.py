"""The mask was applied by multiplying the scores by the keep-mask, so a blocked key gets a score of 0 rather than -inf and still receives weight.

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(d_k)
    if mask is not None:
        keep = np.logical_not(mask).astype(scores.dtype)
        scores = scores * keep
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return np.einsum("bhqk,bhkd->bhqd", weights, v).astype(np.float32)
