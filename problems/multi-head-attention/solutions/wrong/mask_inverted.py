"""Hands the mask straight to torch's scaled_dot_product_attention, which reads a bool attn_mask as True = ATTEND:
each query attends exactly the keys it must not (and a query whose keys are all allowed gets zeros).

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import torch
import torch.nn.functional as F


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    query, key, value = torch.from_numpy(query), torch.from_numpy(key), torch.from_numpy(value)
    w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o = (torch.from_numpy(a) for a in (w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o))
    n, t_q, d = query.shape
    t_k = key.shape[1]
    q = (query @ w_q + b_q).view(n, t_q, num_heads, -1).transpose(1, 2)
    k = (key @ w_k + b_k).view(n, t_k, num_heads, -1).transpose(1, 2)
    v = (value @ w_v + b_v).view(n, t_k, num_heads, -1).transpose(1, 2)
    attn_mask = None if mask is None else torch.from_numpy(mask).unsqueeze(1)  # (N, 1, T_q, T_k)
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
    return heads.transpose(1, 2).reshape(n, t_q, d) @ w_o + b_o
