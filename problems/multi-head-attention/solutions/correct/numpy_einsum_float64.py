"""NumPy in float64 with einsum: heads stay an explicit axis, no transposes; cast back to float32.

Verdict: Accepted
"""

import math

import numpy as np


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    f = lambda a: np.asarray(a, np.float64)  # noqa: E731
    n, t_q, d = query.shape
    t_k = key.shape[1]
    dh = d // num_heads
    q = (np.einsum("ntd,de->nte", f(query), f(w_q)) + f(b_q)).reshape(n, t_q, num_heads, dh)
    k = (np.einsum("nsd,de->nse", f(key), f(w_k)) + f(b_k)).reshape(n, t_k, num_heads, dh)
    v = (np.einsum("nsd,de->nse", f(value), f(w_v)) + f(b_v)).reshape(n, t_k, num_heads, dh)
    scores = np.einsum("nthe,nshe->nhts", q, k) / math.sqrt(dh)
    if mask is not None:
        scores[np.broadcast_to(mask[:, None], scores.shape)] = -np.inf
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    heads = np.einsum("nhts,nshe->nthe", weights, v).reshape(n, t_q, d)
    return (heads @ f(w_o) + f(b_o)).astype(np.float32)
