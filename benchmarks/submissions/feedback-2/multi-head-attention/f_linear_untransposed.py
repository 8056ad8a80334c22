"""Every projection went through F.linear(x, w, b), which computes x @ w.T + b, while the weights here are used as x @ w, so all four projections use transposed weights.

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    t = torch.as_tensor
    bsz, tgt_len, embed_dim = query.shape
    src_len = key.shape[1]
    head_dim = embed_dim // num_heads

    q = F.linear(t(query), t(w_q), t(b_q)).view(bsz, tgt_len, num_heads, head_dim).transpose(1, 2)
    k = F.linear(t(key), t(w_k), t(b_k)).view(bsz, src_len, num_heads, head_dim).transpose(1, 2)
    v = F.linear(t(value), t(w_v), t(b_v)).view(bsz, src_len, num_heads, head_dim).transpose(1, 2)

    attn = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(head_dim)
    if mask is not None:
        attn = attn.masked_fill(t(mask)[:, None, :, :], float("-inf"))
    attn = F.softmax(attn, dim=-1)
    out = torch.matmul(attn, v).transpose(1, 2).reshape(bsz, tgt_len, embed_dim)
    return F.linear(out, t(w_o), t(b_o))
