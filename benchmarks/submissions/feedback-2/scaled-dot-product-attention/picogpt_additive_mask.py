"""The mask was turned into picoGPT's additive form (1 - mask) * -1e10, which treats True as a key the query may attend, so it is read the wrong way round.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import numpy as np


def softmax(x):
    exp_x = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def attention(q, k, v, mask):  # [n_q, d_k], [n_k, d_k], [n_k, d_v], [n_q, n_k] -> [n_q, d_v]
    return softmax(q @ k.T / np.sqrt(q.shape[-1]) + mask) @ v


def scaled_dot_product_attention(q, k, v, mask=None):
    N, H, T_q, _ = q.shape
    T_k = k.shape[2]
    if mask is None:
        mask = np.ones((N, 1, T_q, T_k), dtype=np.float32)
    # like picoGPT's causal mask: (1 - m) * -1e10 keeps the ones and blocks the zeros
    bias = (1 - mask.astype(np.float32)) * -1e10
    out = np.empty((N, H, T_q, v.shape[-1]), dtype=np.float32)
    for n in range(N):
        for h in range(H):
            out[n, h] = attention(q[n, h], k[n, h], v[n, h], bias[n, 0])
    return out
