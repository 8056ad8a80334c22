"""Expands the mask for nn.MultiheadAttention with mask.repeat(num_heads, 1, 1), which is head-major, so heads get other batch rows' masks.

Verdict: Wrong Answer
Mistake: batch-mixing
"""

import torch
from torch import nn


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    d_model = w_q.shape[0]
    mha = nn.MultiheadAttention(embed_dim=d_model, num_heads=num_heads, batch_first=True)
    mha.eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([torch.tensor(w_q).T, torch.tensor(w_k).T, torch.tensor(w_v).T], dim=0))
        mha.in_proj_bias.copy_(torch.cat([torch.tensor(b_q), torch.tensor(b_k), torch.tensor(b_v)]))
        mha.out_proj.weight.copy_(torch.tensor(w_o).T)
        mha.out_proj.bias.copy_(torch.tensor(b_o))
        attn_mask = None
        if mask is not None:
            # (N, T_q, T_k) -> (N * num_heads, T_q, T_k)
            attn_mask = torch.tensor(mask).repeat(num_heads, 1, 1)
        out, _ = mha(torch.tensor(query), torch.tensor(key), torch.tensor(value), attn_mask=attn_mask)
    return out.numpy()
