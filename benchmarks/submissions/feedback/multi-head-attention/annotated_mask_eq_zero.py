"""Masks with scores.masked_fill(mask == 0, -1e9), treating True as "keep", so every query attends only the keys it must not.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import math

import torch


def attention(query, key, value, mask=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    T = torch.from_numpy
    query, key, value = T(query), T(key), T(value)
    nbatches = query.size(0)
    d_model = query.size(-1)
    d_k = d_model // num_heads
    if mask is not None:
        mask = T(mask).unsqueeze(1)  # same mask applied to all heads
    q, k, v = [
        (x @ T(w) + T(b)).view(nbatches, -1, num_heads, d_k).transpose(1, 2)
        for x, w, b in ((query, w_q, b_q), (key, w_k, b_k), (value, w_v, b_v))
    ]
    x = attention(q, k, v, mask=mask)
    x = x.transpose(1, 2).contiguous().view(nbatches, -1, num_heads * d_k)
    return x @ T(w_o) + T(b_o)
