"""Writes the softmax by hand as exp(s) / sum(exp(s)) in float32 without subtracting the row maximum, so large scores overflow.

Verdict: Wrong Answer
Mistake: no-max-subtraction
"""

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    N, H, T_q, d_k = q.shape
    out = np.zeros((N, H, T_q, v.shape[-1]), dtype=np.float32)
    for n in range(N):
        for h in range(H):
            s = q[n, h] @ k[n, h].T / np.sqrt(d_k).astype(np.float32)
            if mask is not None:
                s[mask[n, 0]] = -np.inf  # blocked keys contribute nothing
            e = np.exp(s)
            a = e / e.sum(axis=1, keepdims=True)
            out[n, h] = a @ v[n, h]
    return out
