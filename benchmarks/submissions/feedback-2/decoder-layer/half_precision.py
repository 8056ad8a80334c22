"""Everything was cast to float16 with .half() to save memory and time, so the whole layer is computed in half precision and the rounding errors are far beyond the float32 tolerance.

Verdict: Wrong Answer
Mistake: float16
"""

import math

import torch
import torch.nn.functional as F


def mha(xq, xkv, w_q, w_k, w_v, w_o, h, mask=None):
    B, Tq, C = xq.shape
    Tk = xkv.shape[1]
    q = (xq @ w_q).view(B, Tq, h, C // h).transpose(1, 2)
    k = (xkv @ w_k).view(B, Tk, h, C // h).transpose(1, 2)
    v = (xkv @ w_v).view(B, Tk, h, C // h).transpose(1, 2)
    att = q @ k.transpose(-2, -1) / math.sqrt(C // h)
    if mask is not None:
        att = att.masked_fill(mask, float("-inf"))
    att = torch.softmax(att, dim=-1)
    return (att @ v).transpose(1, 2).reshape(B, Tq, C) @ w_o


@torch.no_grad()
def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    half = lambda a: torch.from_numpy(a).half()  # noqa: E731
    y, enc = half(decoder_x), half(encoder_out)
    sw = [half(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [half(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2 = half(w_mlp1), half(w_mlp2)
    C = y.shape[-1]
    T = y.shape[1]
    causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    pad = None
    if encoder_padding_mask is not None:
        pad = torch.from_numpy(encoder_padding_mask)[:, None, None, :]

    h1 = F.layer_norm(y + mha(y, y, *sw, num_heads, causal), (C,), eps=1e-5)
    h2 = F.layer_norm(h1 + mha(h1, enc, *cw, num_heads, pad), (C,), eps=1e-5)
    out = F.layer_norm(h2 + F.gelu(h2 @ w1, approximate="tanh") @ w2, (C,), eps=1e-5)
    return out.float()
