"""Scales the scores by 1/sqrt(d_model) instead of 1/sqrt(d_head).

Verdict: Wrong Answer
Mistake: scale-by-d-model
"""

import numpy as np


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    query, key, value = (np.asarray(x, np.float64) for x in (query, key, value))
    n, t_q, d_model = query.shape
    t_k = key.shape[1]
    h = num_heads
    d_head = d_model // h
    Q = np.einsum("btd,de->bte", query, w_q) + b_q
    K = np.einsum("btd,de->bte", key, w_k) + b_k
    V = np.einsum("btd,de->bte", value, w_v) + b_v
    Q = Q.reshape(n, t_q, h, d_head)
    K = K.reshape(n, t_k, h, d_head)
    V = V.reshape(n, t_k, h, d_head)
    logits = np.einsum("bqhd,bkhd->bhqk", Q, K) / np.sqrt(d_model)
    if mask is not None:
        logits = np.where(mask[:, None, :, :], -1e9, logits)
    logits -= logits.max(-1, keepdims=True)
    att = np.exp(logits)
    att /= att.sum(-1, keepdims=True)
    ctx = np.einsum("bhqk,bkhd->bqhd", att, V).reshape(n, t_q, d_model)
    return (ctx @ w_o + b_o).astype(np.float32)
