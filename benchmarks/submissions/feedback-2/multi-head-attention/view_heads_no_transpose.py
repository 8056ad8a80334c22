"""The heads were split with .view(N, h, T, d_head) straight from (N, T, d) and merged back with a bare .view, so each head gets a jumble of time steps and features instead of its own feature slice.

Verdict: Wrong Answer
Mistake: heads-without-transpose
"""

import math

import torch


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    query, key, value = torch.as_tensor(query), torch.as_tensor(key), torch.as_tensor(value)
    B, T_q, C = query.size()
    T_k = key.size(1)
    hs = C // num_heads

    q = (query @ torch.as_tensor(w_q) + torch.as_tensor(b_q)).contiguous().view(B, num_heads, T_q, hs)
    k = (key @ torch.as_tensor(w_k) + torch.as_tensor(b_k)).contiguous().view(B, num_heads, T_k, hs)
    v = (value @ torch.as_tensor(w_v) + torch.as_tensor(b_v)).contiguous().view(B, num_heads, T_k, hs)

    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
    if mask is not None:
        att = att.masked_fill(torch.as_tensor(mask).unsqueeze(1), float("-inf"))
    att = torch.softmax(att, dim=-1)
    y = (att @ v).contiguous().view(B, T_q, C)
    return (y @ torch.as_tensor(w_o) + torch.as_tensor(b_o)).numpy()
