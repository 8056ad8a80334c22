"""Written with einsum on the raw weights, the projections leave out all four biases and the scores are divided by sqrt(d_model) rather than sqrt(d_head).

Verdict: Wrong Answer
Mistake: no-biases+scale-by-d-model
"""

import numpy as np


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    N, T_q, D = query.shape
    T_k = key.shape[1]
    H = num_heads
    q = np.einsum("ntd,de->nte", query, w_q).reshape(N, T_q, H, D // H)
    k = np.einsum("nsd,de->nse", key, w_k).reshape(N, T_k, H, D // H)
    v = np.einsum("nsd,de->nse", value, w_v).reshape(N, T_k, H, D // H)
    logits = np.einsum("nqhc,nkhc->nhqk", q, k) / np.sqrt(D)
    if mask is not None:
        logits = np.where(mask[:, None, :, :], -1e9, logits)
    logits = logits - logits.max(-1, keepdims=True)
    attn = np.exp(logits)
    attn = attn / attn.sum(-1, keepdims=True)
    ctx = np.einsum("nhqk,nkhc->nqhc", attn, v).reshape(N, T_q, D)
    return np.einsum("nqd,de->nqe", ctx, w_o)
