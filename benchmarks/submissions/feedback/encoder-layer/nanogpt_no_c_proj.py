"""Reassembles the heads but never applies the output projection w_o before the residual sum.

Verdict: Wrong Answer
Mistake: no-output-projection
"""

import math

import torch
import torch.nn.functional as F


def new_gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x).float()
    w_q, w_k, w_v, w_o = (torch.from_numpy(w).float() for w in (w_q, w_k, w_v, w_o))
    w_mlp1, w_mlp2 = torch.from_numpy(w_mlp1).float(), torch.from_numpy(w_mlp2).float()
    B, T, C = x.size()
    n_head = num_heads

    q = (x @ w_q).view(B, T, n_head, C // n_head).transpose(1, 2)  # (B, nh, T, hs)
    k = (x @ w_k).view(B, T, n_head, C // n_head).transpose(1, 2)
    v = (x @ w_v).view(B, T, n_head, C // n_head).transpose(1, 2)

    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    if padding_mask is not None:
        pad = torch.from_numpy(padding_mask).view(B, 1, 1, T)
        att = att.masked_fill(pad, float("-inf"))
    att = F.softmax(att, dim=-1)
    y = att @ v
    y = y.transpose(1, 2).contiguous().view(B, T, C)  # re-assemble all head outputs side by side

    x = F.layer_norm(x + y, (C,), eps=1e-5)
    x = F.layer_norm(x + new_gelu(x @ w_mlp1) @ w_mlp2, (C,), eps=1e-5)
    return x.numpy()
