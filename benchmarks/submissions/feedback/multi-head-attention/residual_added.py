"""Adds the residual connection (query + attention output) inside the function, which is meant to return the attention alone.

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    x = torch.from_numpy(query)
    k_in, v_in = torch.from_numpy(key), torch.from_numpy(value)
    n, t_q, d = x.shape
    dk = d // num_heads

    def proj(inp, w, b):
        return (inp @ torch.from_numpy(w) + torch.from_numpy(b)).view(n, -1, num_heads, dk).transpose(1, 2)

    q, k, v = proj(x, w_q, b_q), proj(k_in, w_k, b_k), proj(v_in, w_v, b_v)
    attn_mask = None if mask is None else ~torch.from_numpy(mask)[:, None]
    ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=1 / math.sqrt(dk))
    ctx = ctx.transpose(1, 2).reshape(n, t_q, d)
    out = ctx @ torch.from_numpy(w_o) + torch.from_numpy(b_o)
    return x + out  # residual
