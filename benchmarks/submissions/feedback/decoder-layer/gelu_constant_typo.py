"""Writes the GELU constant as sqrt(2) / pi instead of sqrt(2 / pi) inside the tanh.

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2) / math.pi * (x + 0.044715 * x**3)))


def mha(xq, xkv, w, h, block):
    w_q, w_k, w_v, w_o = w
    n, tq, d = xq.shape
    q = torch.einsum("ntd,de->nte", xq, w_q).view(n, tq, h, -1)
    k = torch.einsum("nsd,de->nse", xkv, w_k).view(n, xkv.shape[1], h, -1)
    v = torch.einsum("nsd,de->nse", xkv, w_v).view(n, xkv.shape[1], h, -1)
    s = torch.einsum("nthe,nshe->nhts", q, k) / math.sqrt(q.shape[-1])
    s = s.masked_fill(block, float("-inf"))
    o = torch.einsum("nhts,nshe->nthe", s.softmax(-1), v).reshape(n, tq, d)
    return o @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = torch.from_numpy(decoder_x)
    enc = torch.from_numpy(encoder_out)
    d = y.shape[-1]
    self_w = [torch.from_numpy(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [torch.from_numpy(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    t_dec, t_enc = y.shape[1], enc.shape[1]
    causal = torch.ones(t_dec, t_dec, dtype=torch.bool).triu(1)
    if encoder_padding_mask is None:
        pad = torch.zeros(1, 1, 1, t_enc, dtype=torch.bool)
    else:
        pad = torch.from_numpy(encoder_padding_mask)[:, None, None, :]
    h1 = F.layer_norm(y + mha(y, y, self_w, num_heads, causal), (d,))
    h2 = F.layer_norm(h1 + mha(h1, enc, cross_w, num_heads, pad), (d,))
    return F.layer_norm(h2 + gelu(h2 @ torch.from_numpy(w_mlp1)) @ torch.from_numpy(w_mlp2), (d,))
