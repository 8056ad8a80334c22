"""Looping over batch and heads, the scores were never divided by sqrt(d_k), and the mask only zeroed the weights after the softmax, so the kept weights no longer sum to 1.

Verdict: Wrong Answer
Mistake: no-scale+mask-after-softmax
"""

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    N, H, T_q, d_k = q.shape
    d_v = v.shape[-1]
    out = np.zeros((N, H, T_q, d_v), dtype=np.float64)
    for b in range(N):
        for h in range(H):
            s = q[b, h].astype(np.float64) @ k[b, h].astype(np.float64).T
            s = s - s.max(axis=1, keepdims=True)
            w = np.exp(s)
            w = w / w.sum(axis=1, keepdims=True)
            if mask is not None:
                w = w * (~mask[b, 0])
            out[b, h] = w @ v[b, h]
    return out.astype(np.float32)
