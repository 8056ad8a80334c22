"""Torch in float32: SDPA with is_causal for self-attention and a keep-mask for encoder padding.

Verdict: Accepted
"""

import torch
import torch.nn.functional as F


def _mha(xq, xkv, w, h, keep=None, causal=False):
    w_q, w_k, w_v, w_o = w
    n, t, d = xq.shape
    s = xkv.shape[1]
    q = (xq @ w_q).view(n, t, h, -1).transpose(1, 2)
    k = (xkv @ w_k).view(n, s, h, -1).transpose(1, 2)
    v = (xkv @ w_v).view(n, s, h, -1).transpose(1, 2)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, is_causal=causal)
    return out.transpose(1, 2).reshape(n, t, d) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    t = torch.from_numpy
    y, enc = t(decoder_x), t(encoder_out)
    d = y.shape[-1]
    self_w = [t(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [t(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    keep = None if encoder_padding_mask is None else ~t(encoder_padding_mask)[:, None, None, :]
    h1 = F.layer_norm(y + _mha(y, y, self_w, num_heads, causal=True), (d,), eps=1e-5)
    h2 = F.layer_norm(h1 + _mha(h1, enc, cross_w, num_heads, keep=keep), (d,), eps=1e-5)
    return F.layer_norm(h2 + F.gelu(h2 @ t(w_mlp1), approximate="tanh") @ t(w_mlp2), (d,), eps=1e-5)
