"""Passes padding_mask straight to scaled_dot_product_attention as attn_mask, where True means "may attend", so only the padded keys are attended to.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import torch
import torch.nn.functional as F


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    B, T, C = x.shape
    hs = C // num_heads

    attn_mask = None
    if padding_mask is not None:
        attn_mask = torch.from_numpy(padding_mask).view(B, 1, 1, T)

    q = (x @ w_q).view(B, T, num_heads, hs).transpose(1, 2)
    k = (x @ w_k).view(B, T, num_heads, hs).transpose(1, 2)
    v = (x @ w_v).view(B, T, num_heads, hs).transpose(1, 2)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
    y = y.transpose(1, 2).contiguous().view(B, T, C) @ w_o

    h = F.layer_norm(x + y, (C,))
    return F.layer_norm(h + F.gelu(h @ w_mlp1, approximate="tanh") @ w_mlp2, (C,))
