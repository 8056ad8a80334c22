"""Takes d_k from v.shape[-1], so the scores are divided by sqrt(d_v) instead of sqrt(d_k).

Verdict: Wrong Answer
Mistake: scale-by-d-v
"""

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    d_k = v.shape[-1]
    scores = np.einsum("bhid,bhjd->bhij", q, k) / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(mask, -1e9, scores)
    scores = scores - np.max(scores, axis=-1, keepdims=True)
    p = np.exp(scores)
    p = p / np.sum(p, axis=-1, keepdims=True)
    return np.einsum("bhij,bhjd->bhid", p, v).astype(np.float32)
