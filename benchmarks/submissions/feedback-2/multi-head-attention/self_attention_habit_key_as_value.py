"""The three projections were written as a loop over (query, key, key), a self-attention habit, so the values are projected from `key` instead of `value`.

Verdict: Wrong Answer
Mistake: key-as-value
"""

import numpy as np


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    n, t_q, d = query.shape
    dh = d // num_heads
    projected = []
    for x, w, b in zip((query, key, key), (w_q, w_k, w_v), (b_q, b_k, b_v)):
        y = x.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64)
        projected.append(y.reshape(n, x.shape[1], num_heads, dh).transpose(0, 2, 1, 3))
    q, k, v = projected
    out = np.zeros((n, num_heads, t_q, dh))
    for head in range(num_heads):
        s = q[:, head] @ k[:, head].transpose(0, 2, 1) / np.sqrt(dh)  # (N, T_q, T_k)
        if mask is not None:
            s[mask] = -np.inf
        s = s - s.max(axis=-1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=-1, keepdims=True)
        out[:, head] = p @ v[:, head]
    merged = out.transpose(0, 2, 1, 3).reshape(n, t_q, d)
    return (merged @ w_o.astype(np.float64) + b_o).astype(np.float32)
