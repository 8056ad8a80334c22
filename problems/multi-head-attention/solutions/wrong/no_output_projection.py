"""Returns the merged heads as they are: the output projection (@ w_o + b_o) is left out.

Verdict: Wrong Answer
Mistake: no-output-projection
"""

import math

import torch


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    query, key, value = torch.as_tensor(query), torch.as_tensor(key), torch.as_tensor(value)
    n, t_q, d = query.shape
    dh = d // num_heads
    q = (query @ torch.as_tensor(w_q) + torch.as_tensor(b_q)).view(n, -1, num_heads, dh).transpose(1, 2)
    k = (key @ torch.as_tensor(w_k) + torch.as_tensor(b_k)).view(n, -1, num_heads, dh).transpose(1, 2)
    v = (value @ torch.as_tensor(w_v) + torch.as_tensor(b_v)).view(n, -1, num_heads, dh).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(mask).unsqueeze(1), float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    return out.transpose(1, 2).reshape(n, t_q, d)
