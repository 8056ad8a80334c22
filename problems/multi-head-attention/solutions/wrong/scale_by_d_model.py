"""Divides the scores by sqrt(d_model) instead of sqrt(d_head = d_model / num_heads).

Verdict: Wrong Answer
Mistake: scale-by-d-model
"""

import math

import torch


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    query, key, value = torch.as_tensor(query), torch.as_tensor(key), torch.as_tensor(value)
    w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o = map(torch.as_tensor, (w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o))
    n, t_q, d_model = query.shape
    d_head = d_model // num_heads
    q = (query @ w_q + b_q).view(n, -1, num_heads, d_head).transpose(1, 2)
    k = (key @ w_k + b_k).view(n, -1, num_heads, d_head).transpose(1, 2)
    v = (value @ w_v + b_v).view(n, -1, num_heads, d_head).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_model)
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(mask).unsqueeze(1), float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    return (out.transpose(1, 2).reshape(n, t_q, d_model) @ w_o + b_o).numpy()
