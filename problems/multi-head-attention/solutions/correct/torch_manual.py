"""Torch in float32 written out by hand, with F.linear (x @ W.T + b) on transposed weights and masked_fill.

Verdict: Accepted
"""

import math

import torch
import torch.nn.functional as F


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    t = torch.as_tensor
    n, t_q, d = query.shape
    dh = d // num_heads

    def heads(x, w, b):
        y = F.linear(t(x), t(w).T, t(b))  # (N, T, d)
        return y.reshape(n, -1, num_heads, dh).permute(0, 2, 1, 3)  # (N, h, T, d_head)

    q, k, v = heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v)
    scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
    if mask is not None:
        scores = scores.masked_fill(t(mask)[:, None], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    merged = (weights @ v).permute(0, 2, 1, 3).reshape(n, t_q, d)
    return F.linear(merged, t(w_o).T, t(b_o)).numpy()
