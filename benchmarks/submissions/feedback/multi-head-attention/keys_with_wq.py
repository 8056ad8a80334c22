"""Copy-paste slip: the keys are projected with w_q and b_q instead of w_k and b_k.

Verdict: Wrong Answer
Mistake: shared-weights
"""

import math

import numpy as np


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    N, T_q, d = query.shape
    T_k = key.shape[1]
    dh = d // num_heads
    Q = query @ w_q + b_q
    K = key @ w_q + b_q
    V = value @ w_v + b_v
    heads = []
    for i in range(num_heads):
        sl = slice(i * dh, (i + 1) * dh)
        q_i, k_i, v_i = Q[:, :, sl], K[:, :, sl], V[:, :, sl]
        s = np.matmul(q_i, np.transpose(k_i, (0, 2, 1))) / math.sqrt(dh)
        if mask is not None:
            s[mask] = -np.inf
        s = s - s.max(axis=2, keepdims=True)
        w = np.exp(s)
        w = w / w.sum(axis=2, keepdims=True)
        heads.append(np.matmul(w, v_i))
    concat = np.concatenate(heads, axis=-1)
    return concat @ w_o + b_o
