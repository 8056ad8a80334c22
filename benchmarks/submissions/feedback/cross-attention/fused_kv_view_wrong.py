"""Fuses w_k and w_v into one (d, 2d) weight but splits the result as (N, T_enc, h, 2, d_head), so heads take mixed slices of K and V.

Verdict: Wrong Answer
Mistake: qkv-split
"""

import math

import torch
import torch.nn.functional as F


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.as_tensor(decoder_x, dtype=torch.float32)
    enc = torch.as_tensor(encoder_out, dtype=torch.float32)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.as_tensor(w, dtype=torch.float32)
                                         for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    B, T, C = y.size()
    S = enc.size(1)
    hs = C // num_heads

    w_kv = torch.cat([w_k, w_v], dim=1)  # (C, 2C): one matmul for keys and values
    kv = enc @ w_kv  # (B, S, 2C)
    kv = kv.view(B, S, num_heads, 2, hs)
    k = kv[:, :, :, 0].transpose(1, 2)  # (B, nh, S, hs)
    v = kv[:, :, :, 1].transpose(1, 2)
    q = (y @ w_q).view(B, T, num_heads, hs).transpose(1, 2)  # (B, nh, T, hs)

    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
    att = F.softmax(att, dim=-1)
    out = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    x = F.layer_norm(y + out @ w_o, (C,), eps=1e-5)
    return F.layer_norm(x + F.gelu(x @ w_mlp1, approximate="tanh") @ w_mlp2, (C,), eps=1e-5)
